//! Any bytes as a JSON snapshot file: a tree or an SL001, never a panic,
//! and every place inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sitelint_fuzz::{Format, snapshot_file};

fuzz_target!(|data: &[u8]| snapshot_file(Format::Json, data));

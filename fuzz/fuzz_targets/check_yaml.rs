//! Any bytes as a YAML snapshot file, checked end to end: the model, the
//! built-in rules and every report format, never a panic, every finding
//! inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sitelint_fuzz::check_snapshot;

fuzz_target!(|data: &[u8]| check_snapshot(data));

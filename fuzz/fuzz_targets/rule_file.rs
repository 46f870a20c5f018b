//! Any bytes as a rule file: a rule or an error inside the file, never a
//! panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sitelint_fuzz::rule_file(data));

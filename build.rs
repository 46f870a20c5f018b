//! Embeds every rule file of `rules/` in the binary: the default rules
//! travel with sitelint, and a rule file change rebuilds it.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    // Read at run time: `env!` would bake in the folder the build script was
    // first compiled in, and cargo may reuse that binary for another
    // checkout sharing the target folder, embedding the other one's rules.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ is part of the crate")
        .map(|e| e.expect("rules/ is readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut out = String::from("pub const EMBEDDED_RULES: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display()).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    std::fs::write(dest, out).unwrap();
}

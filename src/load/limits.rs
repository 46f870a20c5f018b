//! The limits that keep hostile or broken snapshot files from exhausting
//! memory or time: file size, nesting depth, nodes per file, and nodes added
//! by YAML aliases.
//!
//! Going over a limit is SL001 on that file, located where the limit was
//! crossed (at 1:1 for the file size), not a usage error: the other files
//! are still linted, SL001 cannot be ignored, so the run fails, and the
//! message says which limit it was and how to raise it. A CI user sees every
//! other problem of the snapshot in the same run.

use std::fmt;
use std::str::FromStr;

/// The deepest nesting any limit can allow. saphyr-parser counts nested
/// flow collections (`[[[...]]]`) in a `u8` and stops at 256 levels on its
/// own, so a higher `max-depth` could not hold for flow style; block style
/// and JSON are held to the same bound so that the limit means one thing.
pub const DEPTH_CEILING: usize = 255;

/// What one snapshot file may hold. Each is configurable: `limits:` in
/// `.sitelint.yaml`, or the `--max-*` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes on disk; a bigger file is not read at all.
    pub max_file_size: ByteSize,
    /// Nested lists and mappings, at most [`DEPTH_CEILING`].
    pub max_depth: usize,
    /// Nodes (scalars, lists, mappings, alias copies included) in one file's
    /// tree: what the model will walk.
    pub max_nodes: usize,
    /// Nodes YAML aliases add to one file (each alias adds a copy of its
    /// anchored node, and each anchored node is kept once more). A few lines
    /// of nested aliases ("billion laughs") would otherwise expand to
    /// billions of nodes.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: ByteSize(256 * MIB),
            max_depth: DEPTH_CEILING,
            max_nodes: 10_000_000,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// One of the limits, to name it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileSize,
    Depth,
    Nodes,
    AliasNodes,
}

impl Limit {
    /// The key in the config file's `limits:`; the flag is `--` and the key.
    pub fn key(self) -> &'static str {
        match self {
            Limit::FileSize => "max-file-size",
            Limit::Depth => "max-depth",
            Limit::Nodes => "max-nodes",
            Limit::AliasNodes => "max-alias-nodes",
        }
    }

    /// The sentence every limit message ends with.
    pub fn how_to_raise(self) -> String {
        let key = self.key();
        let (value, most) = match self {
            Limit::FileSize => ("SIZE", String::new()),
            Limit::Depth => ("N", format!(", at most {DEPTH_CEILING}")),
            Limit::Nodes | Limit::AliasNodes => ("N", String::new()),
        };
        format!(
            "to allow more, set `limits: {{{key}: {value}}}` in .sitelint.yaml or pass --{key} {value}{most}"
        )
    }
}

impl Limits {
    /// SL001's message for a file of `size` bytes, or of more than the
    /// limit when reading it went past the limit (its size is unknown).
    pub fn file_too_big(&self, size: Option<u64>) -> String {
        let limit = self.max_file_size;
        let what = match size {
            Some(size) => {
                format!("{size} bytes, over the max-file-size limit of {limit}; the file was not read")
            }
            None => format!("more than the max-file-size limit of {limit}; reading stopped there"),
        };
        format!("file too big: {what}; {}", Limit::FileSize.how_to_raise())
    }

    pub fn too_deep(&self) -> String {
        let limit = self.max_depth;
        // At the ceiling, the parser's own, there is no more to allow.
        let next = if limit >= DEPTH_CEILING {
            "no snapshot needs as deep a nesting: flatten it".to_string()
        } else {
            Limit::Depth.how_to_raise()
        };
        format!("nesting deeper than {limit} levels of lists and mappings, the max-depth limit; {next}")
    }

    pub fn too_many_nodes(&self) -> String {
        format!(
            "more than {} nodes in this file, the max-nodes limit; {}",
            self.max_nodes,
            Limit::Nodes.how_to_raise()
        )
    }

    pub fn too_many_alias_nodes(&self) -> String {
        format!(
            "aliases expand this file by more than {} nodes, the max-alias-nodes limit (an alias bomb?); {}",
            self.max_alias_nodes,
            Limit::AliasNodes.how_to_raise()
        )
    }
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// A size in bytes, written `1000`, `64KB`, `256MiB`, `1 GiB`: `KB`, `MB`,
/// `GB` count in thousands, `KiB`, `MiB`, `GiB` in 1024s (any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

const UNITS: [(&str, u64); 7] = [
    ("b", 1),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("kib", KIB),
    ("mib", MIB),
    ("gib", GIB),
];

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            format!(
                "`{text}` is not a size: write bytes (`1000`) or a number and a unit (`64KB`, `256MiB`, `1GiB`)"
            )
        };
        let trimmed = text.trim();
        // `1_000_000` reads as YAML writes big numbers.
        let digits = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '_')).unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(digits);
        let number: u64 = number.replace('_', "").parse().map_err(|_| invalid())?;
        let unit = unit.trim().to_ascii_lowercase();
        let scale = match unit.as_str() {
            "" => 1,
            unit => UNITS.iter().find(|(name, _)| *name == unit).ok_or_else(invalid)?.1,
        };
        number.checked_mul(scale).map(ByteSize).ok_or_else(|| format!("`{text}` is too big a size"))
    }
}

impl fmt::Display for ByteSize {
    /// In the biggest binary unit that divides it (`256 MiB`), else bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let units = [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")];
        match units.iter().find(|(unit, _)| bytes >= *unit && bytes.is_multiple_of(*unit)) {
            Some((unit, name)) => write!(f, "{} {name}", bytes / unit),
            None => write!(f, "{bytes} bytes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_decimal_and_binary_units() {
        let cases = [
            ("1000", 1000),
            ("0", 0),
            ("12b", 12),
            ("64KB", 64_000),
            ("256MB", 256_000_000),
            ("256mib", 256 * MIB),
            ("1 GiB", GIB),
            (" 2GB ", 2_000_000_000),
            ("1_000_000", 1_000_000),
        ];
        for (text, bytes) in cases {
            assert_eq!(text.parse::<ByteSize>(), Ok(ByteSize(bytes)), "{text:?}");
        }
        for text in ["", "MB", "_", "1.5MB", "-1", "1 TB", "12 bytes", "0x10"] {
            let error = text.parse::<ByteSize>().unwrap_err();
            assert!(error.starts_with(&format!("`{text}` is not a size")), "{error}");
        }
        assert_eq!("99999999999GiB".parse::<ByteSize>(), Err("`99999999999GiB` is too big a size".into()));
    }

    #[test]
    fn sizes_print_in_the_biggest_exact_binary_unit() {
        assert_eq!(ByteSize(256 * MIB).to_string(), "256 MiB");
        assert_eq!(ByteSize(3 * KIB).to_string(), "3 KiB");
        assert_eq!(ByteSize(1000).to_string(), "1000 bytes");
        assert_eq!(ByteSize(0).to_string(), "0 bytes");
    }

    #[test]
    fn messages_name_the_limit_and_how_to_raise_it() {
        let limits = Limits { max_depth: 3, ..Limits::default() };
        assert_eq!(
            limits.too_deep(),
            "nesting deeper than 3 levels of lists and mappings, the max-depth limit; to allow more, \
             set `limits: {max-depth: N}` in .sitelint.yaml or pass --max-depth N, at most 255"
        );
        assert_eq!(
            Limits::default().too_deep(),
            "nesting deeper than 255 levels of lists and mappings, the max-depth limit; no snapshot \
             needs as deep a nesting: flatten it"
        );
        assert_eq!(
            Limits::default().file_too_big(Some(300_000_000)),
            "file too big: 300000000 bytes, over the max-file-size limit of 256 MiB; the file was not \
             read; to allow more, set `limits: {max-file-size: SIZE}` in .sitelint.yaml or pass \
             --max-file-size SIZE"
        );
    }
}

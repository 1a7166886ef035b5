//! The `file` device: Vault's JSON lines, appended to a file (or stdout), with
//! size-based rotation that Vault lacks: past `rotate_bytes` the file moves to
//! `<path>.1` (older ones to `.2`, …) and at most `rotate_max_files` are kept.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use super::device::Sink;
use super::options::{parse_size, parse_u32, prefix};
use super::records::AuditRecord;

pub struct FileSink {
    target: Target,
    mode: u32,
    rotation: Option<Rotation>,
    file: Option<File>,
    /// Bytes in the current file, for rotation.
    size: u64,
    /// The batch being written, kept between batches to spare an allocation each.
    buffer: Vec<u8>,
    /// Written before each entry (Vault's `prefix` option).
    prefix: String,
}

enum Target {
    Path(PathBuf),
    Stdout,
    Discard,
}

#[derive(Clone, Copy)]
struct Rotation {
    max_bytes: u64,
    keep: u32,
}

impl FileSink {
    /// From the device's options; opens the file now so that a bad path fails the
    /// enable request, not the first audited request.
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<FileSink, String> {
        let path = options
            .get("file_path")
            .or_else(|| options.get("path"))
            .filter(|p| !p.is_empty())
            .ok_or("file_path is required for the file audit device")?;
        let target = match path.as_str() {
            "stdout" => Target::Stdout,
            "discard" => Target::Discard,
            path => Target::Path(PathBuf::from(path)),
        };
        let mode = match options.get("mode") {
            Some(text) => u32::from_str_radix(text, 8)
                .ok()
                .filter(|m| *m <= 0o777)
                .ok_or_else(|| format!("mode {text:?} is not an octal file mode such as 0600"))?,
            None => 0o600,
        };
        let rotation = match options.get("rotate_bytes") {
            Some(text) => Some(Rotation {
                max_bytes: parse_size(text).map_err(|e| format!("rotate_bytes: {e}"))?,
                keep: match options.get("rotate_max_files") {
                    Some(text) => parse_u32(text).map_err(|e| format!("rotate_max_files: {e}"))?,
                    None => 10,
                },
            }),
            None if options.contains_key("rotate_max_files") => {
                return Err("rotate_max_files needs rotate_bytes".into());
            }
            None => None,
        };
        let mut sink =
            FileSink { target, mode, rotation, file: None, size: 0, buffer: Vec::new(), prefix: prefix(options) };
        sink.open().map_err(|e| format!("cannot open the audit file {path}: {e}"))?;
        Ok(sink)
    }

    fn open(&mut self) -> io::Result<()> {
        self.file = None;
        if let Target::Path(path) = &self.target {
            let file = OpenOptions::new().create(true).append(true).mode(self.mode).open(path)?;
            self.size = file.metadata()?.len();
            self.file = Some(file);
        }
        Ok(())
    }

    /// Append `buffer` (whole lines), rotating first if it would pass the limit.
    fn write_buffer(&mut self, buffer: &[u8]) -> io::Result<()> {
        match &self.target {
            Target::Discard => Ok(()),
            Target::Stdout => io::stdout().lock().write_all(buffer),
            Target::Path(path) => {
                if let Some(rotation) = self.rotation
                    && self.size > 0
                    && self.size + buffer.len() as u64 > rotation.max_bytes
                {
                    let path = path.clone();
                    self.rotate(&path, rotation.keep)?;
                }
                if self.file.is_none() {
                    self.open()?;
                }
                let file = self.file.as_mut().ok_or_else(|| io::Error::other("the audit file is not open"))?;
                file.write_all(buffer)?;
                self.size += buffer.len() as u64;
                Ok(())
            }
        }
    }

    /// `<path>` → `<path>.1` → … → `<path>.<keep>`, the oldest dropped; then a new file.
    fn rotate(&mut self, path: &PathBuf, keep: u32) -> io::Result<()> {
        let numbered = |n: u32| PathBuf::from(format!("{}.{n}", path.display()));
        if keep == 0 {
            std::fs::remove_file(path)?;
        } else {
            for n in (1..keep).rev() {
                let from = numbered(n);
                if from.exists() {
                    std::fs::rename(&from, numbered(n + 1))?;
                }
            }
            std::fs::rename(path, numbered(1))?;
        }
        self.open()
    }
}

impl Sink for FileSink {
    fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        for entry in batch {
            buffer.extend_from_slice(self.prefix.as_bytes());
            buffer.extend_from_slice(entry.entry.as_bytes());
            buffer.push(b'\n');
        }
        let result = self.write_buffer(&buffer);
        self.buffer = buffer;
        result
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.open()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn entry(line: &str) -> AuditRecord {
        AuditRecord::sample("r", line)
    }

    fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn appends_lines_and_rotates_by_size_keeping_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let p = path.to_str().unwrap();
        let mut sink =
            FileSink::from_options(&options(&[("file_path", p), ("rotate_bytes", "20"), ("rotate_max_files", "2")]))
                .unwrap();
        for n in 0..5 {
            sink.write(&[&entry(&format!("entry-number-{n}"))]).unwrap();
        }
        let read = |suffix: &str| std::fs::read_to_string(format!("{p}{suffix}")).unwrap();
        assert_eq!(read(""), "entry-number-4\n");
        assert_eq!(read(".1"), "entry-number-3\n");
        assert_eq!(read(".2"), "entry-number-2\n");
        assert!(!std::path::Path::new(&format!("{p}.3")).exists());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_full_disk_is_an_error_and_bad_options_are_named() {
        let mut sink = FileSink::from_options(&options(&[("file_path", "/dev/full")])).unwrap();
        assert!(sink.write(&[&entry("x")]).is_err());
        let err = FileSink::from_options(&options(&[])).err().unwrap();
        assert!(err.contains("file_path"), "{err}");
        let err = FileSink::from_options(&options(&[("file_path", "/nonexistent/dir/a.log")])).err().unwrap();
        assert!(err.contains("/nonexistent/dir/a.log"), "{err}");
        let err = FileSink::from_options(&options(&[("file_path", "discard"), ("mode", "rw")])).err().unwrap();
        assert!(err.contains("mode"), "{err}");
        let err =
            FileSink::from_options(&options(&[("file_path", "discard"), ("rotate_bytes", "lots")])).err().unwrap();
        assert!(err.contains("rotate_bytes"), "{err}");
    }
}

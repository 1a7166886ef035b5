//! Key rules shared by every physical backend.

use super::StorageError;

/// Keys are non-empty UTF-8 without NUL (PostgreSQL text cannot hold it) and never
/// end in `/` (that names a folder, which is not an entry).
pub(super) fn check(key: &str) -> Result<(), StorageError> {
    if key.is_empty() || key.ends_with('/') || key.contains('\0') {
        return Err(StorageError::InvalidKey(key.to_string()));
    }
    Ok(())
}

/// A list prefix is a folder: empty (the root) or ending in `/`, without NUL.
pub(super) fn check_prefix(prefix: &str) -> Result<(), StorageError> {
    if !(prefix.is_empty() || prefix.ends_with('/')) || prefix.contains('\0') {
        return Err(StorageError::InvalidKey(prefix.to_string()));
    }
    Ok(())
}

/// The smallest string greater than every string that starts with `prefix`, or `None`
/// when no such bound exists (empty prefix). Both backends compare keys byte-wise, and
/// UTF-8 byte order is code point order, so bumping the last code point is enough.
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The child of `prefix` that `key` lies under: `name` for a leaf, `name/` for a folder.
pub(super) fn child_of<'k>(prefix: &str, key: &'k str) -> &'k str {
    let rest = &key[prefix.len()..];
    match rest.find('/') {
        Some(i) => &rest[..=i],
        None => rest,
    }
}

/// Keys read per query when listing.
pub(super) const LIST_BATCH: usize = 512;

/// The keys one listing query reads: `lower` (`inclusive` or not) up to `upper`
/// (exclusive; `None` means no bound), ascending, at most `LIST_BATCH` of them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct KeyRange<'s> {
    pub lower: &'s str,
    pub inclusive: bool,
    pub upper: Option<&'s str>,
}

/// Listing a folder by skip-scan, for backends that can only read sorted key ranges:
/// read keys in batches, skip each folder's subtree within a batch, and when a batch
/// ends inside a folder start the next one after that folder. The cost follows the
/// number of children, not the size of the tree below the prefix.
///
/// The backend runs the queries: `while let Some(range) = scan.next_range() { ... }`,
/// handing each batch to `consume`, then takes `into_children`.
pub(super) struct SkipScan<'p> {
    prefix: &'p str,
    upper: Option<String>,
    lower: String,
    inclusive: bool,
    done: bool,
    children: Vec<String>,
}

impl<'p> SkipScan<'p> {
    pub fn new(prefix: &'p str) -> Self {
        SkipScan {
            prefix,
            upper: prefix_end(prefix),
            lower: prefix.to_string(),
            inclusive: true,
            done: false,
            children: Vec::new(),
        }
    }

    /// The next range to read, or `None` once the listing is complete.
    pub fn next_range(&self) -> Option<KeyRange<'_>> {
        (!self.done).then(|| KeyRange { lower: &self.lower, inclusive: self.inclusive, upper: self.upper.as_deref() })
    }

    /// Take the keys the last range read (ascending, at most `LIST_BATCH`).
    pub fn consume(&mut self, batch: &[String]) {
        // The end of the folder the scan is inside, if any.
        let mut folder_end: Option<String> = None;
        for key in batch {
            if folder_end.as_deref().is_some_and(|end| key.as_str() < end) {
                continue;
            }
            let child = child_of(self.prefix, key);
            self.children.push(child.to_string());
            folder_end = child.ends_with('/').then(|| prefix_end(&format!("{}{child}", self.prefix))).flatten();
        }
        if batch.len() < LIST_BATCH {
            self.done = true;
            return;
        }
        (self.lower, self.inclusive) = match folder_end {
            Some(end) => (end, true),
            None => (batch.last().cloned().unwrap_or_default(), false),
        };
    }

    /// The children found: names relative to the prefix, folders with a trailing `/`.
    pub fn into_children(self) -> Vec<String> {
        self.children
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run a skip-scan over sorted `keys`, counting the queries it makes.
    fn scan(keys: &[String], prefix: &str) -> (Vec<String>, usize) {
        let mut scan = SkipScan::new(prefix);
        let mut queries = 0;
        while let Some(range) = scan.next_range() {
            queries += 1;
            let batch: Vec<String> = keys
                .iter()
                .filter(|k| if range.inclusive { k.as_str() >= range.lower } else { k.as_str() > range.lower })
                .filter(|k| range.upper.is_none_or(|upper| k.as_str() < upper))
                .take(LIST_BATCH)
                .cloned()
                .collect();
            scan.consume(&batch);
        }
        (scan.into_children(), queries)
    }

    #[test]
    fn skip_scan_reads_past_big_folders_without_walking_them() {
        // One leaf, then a folder far bigger than a batch, then another leaf.
        let mut keys: Vec<String> = vec!["p/a".into(), "p/z".into(), "q/outside".into()];
        keys.extend((0..5000).map(|i| format!("p/big/{i:05}")));
        keys.sort();
        let (children, queries) = scan(&keys, "p/");
        assert_eq!(children, vec!["a", "big/", "z"]);
        assert_eq!(queries, 2, "the second query starts after the folder");
    }

    #[test]
    fn skip_scan_continues_after_a_full_batch_of_leaves() {
        let mut keys: Vec<String> = (0..LIST_BATCH * 2 + 3).map(|i| format!("l/{i:05}")).collect();
        keys.push("l/sub/x".into());
        keys.sort();
        let (children, queries) = scan(&keys, "l/");
        assert_eq!(children.len(), LIST_BATCH * 2 + 4);
        assert_eq!(children.last().map(String::as_str), Some("sub/"));
        assert_eq!(queries, 3);
    }

    #[test]
    fn skip_scan_of_the_root_has_no_upper_bound() {
        let keys: Vec<String> = vec!["a/b".into(), "c".into()];
        let scan = SkipScan::new("");
        assert_eq!(scan.next_range(), Some(KeyRange { lower: "", inclusive: true, upper: None }));
        assert_eq!(self::scan(&keys, "").0, vec!["a/", "c"]);
    }

    #[test]
    fn prefix_end_bumps_the_last_code_point() {
        assert_eq!(prefix_end("a/"), Some("a0".to_string()));
        assert_eq!(prefix_end("ab"), Some("ac".to_string()));
        assert_eq!(prefix_end(""), None);
        assert_eq!(prefix_end("x\u{D7FF}"), Some("x\u{E000}".to_string()));
        assert_eq!(prefix_end("x\u{10FFFF}"), Some("y".to_string()));
    }

    #[test]
    fn child_of_names_leaves_and_folders() {
        assert_eq!(child_of("a/", "a/b"), "b");
        assert_eq!(child_of("a/", "a/b/c/d"), "b/");
        assert_eq!(child_of("", "x/y"), "x/");
    }

    #[test]
    fn check_rejects_folders_nul_and_empty() {
        assert!(check("a/b").is_ok());
        assert!(check("").is_err());
        assert!(check("a/").is_err());
        assert!(check("a\0b").is_err());
    }
}

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
pub(super) fn prefix_end(prefix: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

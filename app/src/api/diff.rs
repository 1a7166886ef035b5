//! Side-by-side line diffs (secret versions, a policy against its saved text), worked
//! out on the server with `similar` so the wasm bundle carries no diff code.

use std::time::Duration;

use super::dto::DiffRow;
use super::error::ConsoleError;

/// Texts compared at most, together: a diff's cost grows with the product of their
/// lengths, and one request must not hold a core.
const MAX_BYTES: usize = 1 << 20;
const MAX_LINES: usize = 20_000;
/// Past this, `similar` settles for a coarser (still correct) diff.
const DEADLINE: Duration = Duration::from_millis(250);

/// `left` and `right` line by line: unchanged lines on both sides, changed ones paired.
pub fn side_by_side(left: &str, right: &str) -> Result<Vec<DiffRow>, ConsoleError> {
    if left.len() + right.len() > MAX_BYTES || left.lines().count() + right.lines().count() > MAX_LINES {
        return Err(ConsoleError::invalid(format!(
            "These texts are too large to compare here (the limit is {MAX_LINES} lines and {} MiB together).",
            MAX_BYTES >> 20
        )));
    }
    let diff = similar::TextDiff::configure().timeout(DEADLINE).diff_lines(left, right);
    let (left_lines, right_lines): (Vec<&str>, Vec<&str>) = (left.lines().collect(), right.lines().collect());
    let mut rows = Vec::new();
    for op in diff.ops() {
        let (old, new) = (op.old_range(), op.new_range());
        let changed = !matches!(op.tag(), similar::DiffTag::Equal);
        for i in 0..old.len().max(new.len()) {
            rows.push(DiffRow {
                left: (i < old.len()).then(|| left_lines.get(old.start + i).copied().unwrap_or_default().to_string()),
                right: (i < new.len()).then(|| right_lines.get(new.start + i).copied().unwrap_or_default().to_string()),
                changed,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_pair_up_and_the_rest_stays() {
        let rows = side_by_side("a\nb\nc\n", "a\nB\nc\nd\n").unwrap();
        let row = |l: Option<&str>, r: Option<&str>, changed| DiffRow {
            left: l.map(str::to_string),
            right: r.map(str::to_string),
            changed,
        };
        assert_eq!(
            rows,
            vec![
                row(Some("a"), Some("a"), false),
                row(Some("b"), Some("B"), true),
                row(Some("c"), Some("c"), false),
                row(None, Some("d"), true),
            ]
        );
        let huge = "x\n".repeat(MAX_LINES);
        assert!(side_by_side(&huge, "y").unwrap_err().message.contains("too large"));
    }
}

//! Side-by-side line diffs (secret versions, a policy against its saved text), worked
//! out on the server with `similar` so the wasm bundle carries no diff code.

use super::dto::DiffRow;

/// `left` and `right` line by line: unchanged lines on both sides, changed ones paired.
pub fn side_by_side(left: &str, right: &str) -> Vec<DiffRow> {
    let diff = similar::TextDiff::from_lines(left, right);
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
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_pair_up_and_the_rest_stays() {
        let rows = side_by_side("a\nb\nc\n", "a\nB\nc\nd\n");
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
    }
}

//! "Did you mean ...?": the nearest known name to a misspelt one.

/// Edit distance with adjacent transpositions counted as one edit (optimal string
/// alignment), over characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = best;
        }
    }
    rows[a.len() * width + b.len()]
}

/// How many edits away from `known` a name may be and still count as a misspelling
/// of it: none for very short names (`eq`, `min`), one up to seven characters, two
/// beyond.
fn tolerance(known: &str) -> usize {
    match known.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The known name `name` is most likely a misspelling of: equal ignoring case, a
/// plural or singular of it, or within a few edits (fewer for short names). `None` when nothing is close or
/// when `name` is itself known.
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in known {
        if candidate == name {
            return None;
        }
        let known = candidate.to_lowercase();
        let plural =
            lower.strip_suffix('s') == Some(&known) || known.strip_suffix('s') == Some(&lower);
        let d = if known == lower {
            0
        } else if plural {
            1
        } else {
            distance(&lower, &candidate.to_lowercase())
        };
        if (d <= tolerance(candidate) || plural) && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `" (did you mean `x`?)"` for the nearest known name, or nothing.
pub(crate) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(name, known)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// `a, b or c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("ParentContct", "ParentContact"), 1);
        assert_eq!(distance("wehre", "where"), 1);
        assert_eq!(distance("Deal", "Lead"), 2);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn nearest_names() {
        let hops = ["ParentContact", "ParentAccount"];
        assert_eq!(nearest("Parentcontact", hops), Some("ParentContact"));
        assert_eq!(nearest("ParentAcount", hops), Some("ParentAccount"));
        assert_eq!(nearest("ParentContact", hops), None);
        assert_eq!(nearest("Meeting", hops), None);
        assert_eq!(nearest("Contacted", ["Contact"]), None);
        assert_eq!(nearest("Contacts", ["Contact"]), Some("Contact"));
        assert_eq!(nearest("Deal", ["Lead"]), None);
        assert_eq!(nearest("EQ", ["eq", "ne"]), Some("eq"));
        assert_eq!(nearest("or", ["eq", "ne"]), None);
        assert_eq!(nearest("caps", ["cap", "any"]), Some("cap"));
        assert_eq!(nearest("and", ["cap", "any"]), None);
    }

    #[test]
    fn lists() {
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b", "c"]), "a, b or c");
    }
}

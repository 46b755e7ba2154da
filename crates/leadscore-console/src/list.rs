//! What every console list shares: the query string it was asked with, links
//! that change one parameter and keep the others (so the back button and a
//! copied link show the same view), sortable column headers and the pager.

use leadscore_store::COUNT_CAP;

use crate::html::escape;

/// Rows per page unless the query says otherwise.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The most rows one page shows.
pub const MAX_PER_PAGE: u32 = 500;

/// A list page's query string: its parameters in order, the last value of
/// a name winning (as a form's fields).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pairs: Vec<(String, String)>,
}

impl ListQuery {
    /// The query of these pairs (empty values are dropped: an empty filter
    /// field means no filter).
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self {
            pairs: pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        }
    }

    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// This query with `name` set to `value` when it names no value (the
    /// view's default, so that headers show the order the rows are in).
    pub fn or_default(&self, name: &str, value: &str) -> Self {
        let mut out = self.clone();
        if out.get(name).is_none() {
            out.pairs.push((name.to_owned(), value.to_owned()));
        }
        out
    }

    /// The page asked for, from 1 (a bad or missing value is page 1).
    pub fn page(&self) -> u32 {
        self.get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// Rows per page, within 1..=[`MAX_PER_PAGE`].
    pub fn per_page(&self) -> u32 {
        self.get("per_page")
            .and_then(|p| p.parse().ok())
            .map_or(DEFAULT_PER_PAGE, |p: u32| p.clamp(1, MAX_PER_PAGE))
    }

    /// The first row of the page, from 0.
    pub fn offset(&self) -> u64 {
        u64::from(self.page() - 1) * u64::from(self.per_page())
    }

    /// This query with `name` set to `value` (or removed when `None`), as
    /// `?a=1&b=2` (or the empty string).
    pub fn with(&self, name: &str, value: Option<&str>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (n, v) in &self.pairs {
            if n != name {
                out.append_pair(n, v);
            }
        }
        if let Some(v) = value {
            out.append_pair(name, v);
        }
        let text = out.finish();
        if text.is_empty() {
            text
        } else {
            format!("?{text}")
        }
    }

    /// This query with `name` set and back on page 1 (for a new filter or
    /// order).
    pub fn with_first_page(&self, name: &str, value: Option<&str>) -> String {
        let without_page = Self {
            pairs: self
                .pairs
                .iter()
                .filter(|(n, _)| n != "page")
                .cloned()
                .collect(),
        };
        without_page.with(name, value)
    }

    /// The query's pairs except `page`, as hidden inputs (for a form that
    /// changes other parameters and keeps these).
    pub fn hidden_inputs(&self, except: &[&str]) -> String {
        self.pairs
            .iter()
            .filter(|(n, _)| n != "page" && !except.contains(&n.as_str()))
            .map(|(n, v)| {
                format!(
                    "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                    escape(n),
                    escape(v)
                )
            })
            .collect()
    }
}

/// A sortable column's header: a link that orders by `key` (descending
/// first for `desc_first` columns such as scores), then flips the direction.
/// `aria-sort` tells screen readers the current order.
pub fn sort_header(
    path: &str,
    query: &ListQuery,
    label: &str,
    key: &str,
    desc_first: bool,
) -> String {
    let current = query.get("sort").unwrap_or_default();
    let (asc, desc) = (key.to_owned(), format!("-{key}"));
    let (aria, next, arrow) = if current == asc {
        ("ascending", desc.as_str(), " ▲")
    } else if current == desc {
        ("descending", asc.as_str(), " ▼")
    } else if desc_first {
        ("none", desc.as_str(), "")
    } else {
        ("none", asc.as_str(), "")
    };
    format!(
        "<th scope=\"col\" aria-sort=\"{aria}\"><a href=\"{path}{href}\">{label}{arrow}</a></th>",
        href = escape(&query.with_first_page("sort", Some(next))),
        label = escape(label),
    )
}

/// A sort parameter read back: the column key and whether descending
/// (`-score` is score, descending).
pub fn sort_key(query: &ListQuery) -> Option<(&str, bool)> {
    let sort = query.get("sort")?;
    Some(match sort.strip_prefix('-') {
        Some(key) => (key, true),
        None => (sort, false),
    })
}

/// A number with thousands separators (`1,234,567`): the report's, so the
/// console and the review write figures alike.
pub use leadscore_report::thousands;

/// How many rows match, in words: exact up to the store's count cap,
/// "more than 10,000" beyond.
pub fn total_text(total: u64) -> String {
    if total > COUNT_CAP {
        format!("more than {}", thousands(COUNT_CAP))
    } else {
        thousands(total)
    }
}

/// The pager under a list: which rows these are out of how many (counted
/// up to the store's cap), and links to the previous and next pages.
pub fn pager(path: &str, query: &ListQuery, shown: usize, total: u64) -> String {
    let page = query.page();
    let first = query.offset() + 1;
    let last = query.offset() + shown as u64;
    let capped = total > COUNT_CAP;
    let pages = total.div_ceil(u64::from(query.per_page())).max(1);
    let of_pages = if capped {
        String::new()
    } else {
        format!(" (page {page} of {})", thousands(pages))
    };
    let summary = if shown == 0 {
        format!("No rows on this page ({} in all).", total_text(total))
    } else {
        format!(
            "Rows {}–{} of {}{of_pages}.",
            thousands(first),
            thousands(last),
            total_text(total),
        )
    };
    let link = |label: &str, to: u32, rel: &str| {
        format!(
            "<a rel=\"{rel}\" href=\"{path}{}\">{label}</a>",
            escape(&query.with("page", Some(&to.to_string())))
        )
    };
    let previous = if page > 1 {
        link("← Previous", page - 1, "prev")
    } else {
        String::new()
    };
    // Past the count cap, a full page means there may be more.
    let more = if capped {
        shown as u64 == u64::from(query.per_page())
    } else {
        u64::from(page) < pages
    };
    let next = if more {
        link("Next →", page + 1, "next")
    } else {
        String::new()
    };
    format!(
        "<nav class=\"pager\" aria-label=\"Pages\"><span>{summary}</span> {previous} {next}</nav>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        ListQuery::new(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn links_keep_the_other_parameters() {
        let q = query(&[("grade", "A"), ("page", "3"), ("source", "")]);
        assert_eq!(q.with("page", Some("4")), "?grade=A&page=4");
        assert_eq!(
            q.with_first_page("sort", Some("-score")),
            "?grade=A&sort=-score"
        );
        assert_eq!(query(&[]).with("grade", None), "");
        assert_eq!(q.offset(), 100);
    }

    #[test]
    fn bad_pages_fall_back() {
        assert_eq!(query(&[("page", "0")]).page(), 1);
        assert_eq!(query(&[("page", "x")]).page(), 1);
        assert_eq!(query(&[("per_page", "100000")]).per_page(), MAX_PER_PAGE);
    }

    #[test]
    fn headers_flip_the_order() {
        let q = query(&[("sort", "-score")]);
        let th = sort_header("/console/leads", &q, "Score", "score", true);
        assert!(th.contains("aria-sort=\"descending\""), "{th}");
        assert!(th.contains("href=\"/console/leads?sort=score\""), "{th}");
        assert_eq!(sort_key(&q), Some(("score", true)));
    }

    #[test]
    fn pager_counts_rows() {
        let q = query(&[("page", "2"), ("per_page", "10")]);
        let html = pager("/console/leads", &q, 10, 1234);
        assert!(
            html.contains("Rows 11–20 of 1,234 (page 2 of 124)"),
            "{html}"
        );
        assert!(html.contains("rel=\"prev\"") && html.contains("rel=\"next\""));
        assert_eq!(thousands(1_000_000), "1,000,000");
        let capped = pager("/console/leads", &q, 10, COUNT_CAP + 1);
        assert!(
            capped.contains("Rows 11–20 of more than 10,000."),
            "{capped}"
        );
        assert!(capped.contains("rel=\"next\""));
    }
}

//! The few elements Lockstep reads from AWS's small XML answers (S3 listings, STS
//! credentials, error documents), found by name rather than through a full parser: the
//! answers are flat, small and come from AWS or an S3-compatible store.

/// The text of the first `<name>` element in `xml`, unescaped.
pub fn tag(xml: &str, name: &str) -> Option<String> {
    elements(xml, name).next().map(unescape)
}

/// The inner text of every `<name>…</name>` in `xml`, in order.
pub fn elements<'a>(xml: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut rest = xml;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let end = rest[start..].find(&close)? + start;
        let inner = &rest[start..end];
        rest = &rest[end + close.len()..];
        Some(inner)
    })
}

/// `text` with XML's escapes replaced by the characters they stand for.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_in_order_and_unescaped() {
        let xml = "<R><Contents><Key>a&amp;b</Key><Size>3</Size></Contents><Contents><Key>c</Key></Contents></R>";
        let keys: Vec<String> = elements(xml, "Contents")
            .filter_map(|c| tag(c, "Key"))
            .collect();
        assert_eq!(keys, ["a&b", "c"]);
        assert_eq!(tag(xml, "Missing"), None);
    }
}

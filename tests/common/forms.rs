//! The forms of a page, read from its HTML the way a browser would submit them, so tests can
//! walk every form of the app without naming each field by hand.

/// One way to submit a form: its own action, or a button's `formaction`.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub multipart: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// input type (`text`, `hidden`, `radio`, `checkbox`, `date`, `file`, …), `textarea`, `select`.
    pub kind: String,
    pub value: String,
    /// For radios and checkboxes: checked; for selects: the options' values.
    pub checked: bool,
    pub options: Vec<String>,
}

impl Field {
    /// A field a user types into (not a hidden token, version or choice).
    pub fn is_typed(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "text" | "textarea" | "date" | "number" | "password" | "search" | "email"
        )
    }
}

fn decode(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in a tag's text (`<input name="x" value="y">`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        let at = rest.find(&format!("{name}="))?;
        let before = rest[..at].chars().last();
        rest = &rest[at + name.len() + 1..];
        if !matches!(before, Some(' ' | '\n' | '\t')) {
            continue;
        }
        return Some(match rest.chars().next()? {
            q @ ('"' | '\'') => decode(&rest[1..1 + rest[1..].find(q)?]),
            _ => decode(&rest[..rest.find([' ', '>']).unwrap_or(rest.len())]),
        });
    }
}

fn has_attr(tag: &str, name: &str) -> bool {
    tag.split([' ', '>', '\n', '/'])
        .any(|w| w == name || w.starts_with(&format!("{name}=")))
}

/// The POST forms of `html` (a form with `formaction` buttons yields one form per action).
pub fn post_forms(html: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        rest = &rest[start..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        let end = rest.find("</form>").unwrap_or(rest.len());
        let body = &rest[tag_end..end];
        rest = &rest[end.min(rest.len())..];
        if !attr(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            if let Some(next) = rest.get(1..) {
                rest = next;
            }
            continue;
        }
        let action = attr(tag, "action").unwrap_or_default();
        let multipart = attr(tag, "enctype").is_some_and(|e| e.contains("multipart"));
        let fields = fields_of(body);
        // Each enabled submit button is a way to send the form: its formaction, or its
        // name=value added to the fields.
        let mut variants: Vec<(String, Option<(String, String)>)> = Vec::new();
        let mut b = body;
        while let Some(at) = b.find("<button") {
            b = &b[at..];
            let t = &b[..b.find('>').unwrap_or(b.len())];
            if !has_attr(t, "disabled") && attr(t, "type").is_none_or(|ty| ty == "submit") {
                let target = attr(t, "formaction").unwrap_or_else(|| action.clone());
                let named = attr(t, "name").map(|n| (n, attr(t, "value").unwrap_or_default()));
                variants.push((target, named));
            }
            b = &b[1..];
        }
        variants.dedup();
        if variants.is_empty() {
            variants.push((action.clone(), None));
        }
        for (target, named) in variants {
            let mut fields = fields.clone();
            if let Some((name, value)) = named {
                fields.push(Field {
                    name,
                    kind: "hidden".into(),
                    value,
                    checked: false,
                    options: Vec::new(),
                });
            }
            forms.push(Form {
                action: target,
                multipart,
                fields,
            });
        }
        if let Some(next) = rest.get(1..) {
            rest = next;
        }
    }
    forms
}

fn fields_of(body: &str) -> Vec<Field> {
    let mut fields = Vec::new();
    let mut i = 0;
    while let Some(at) = body[i..].find('<') {
        let start = i + at;
        let tag_end = start + body[start..].find('>').unwrap_or(body.len() - start);
        let tag = &body[start..tag_end];
        i = tag_end.max(start + 1);
        let Some(name) = attr(tag, "name") else { continue };
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            fields.push(Field {
                name,
                kind,
                value: attr(tag, "value").unwrap_or_default(),
                checked: has_attr(tag, "checked"),
                options: Vec::new(),
            });
        } else if tag.starts_with("<textarea") {
            let close = body[tag_end..].find("</textarea>").map_or(tag_end, |c| tag_end + c);
            fields.push(Field {
                name,
                kind: "textarea".into(),
                value: decode(&body[(tag_end + 1).min(close)..close]),
                checked: false,
                options: Vec::new(),
            });
        } else if tag.starts_with("<select") {
            let close = body[tag_end..].find("</select>").map_or(tag_end, |c| tag_end + c);
            let inner = &body[tag_end..close];
            let mut options = Vec::new();
            let mut selected = None;
            let mut o = inner;
            while let Some(at) = o.find("<option") {
                o = &o[at..];
                let t = &o[..o.find('>').unwrap_or(o.len())];
                let v = attr(t, "value").unwrap_or_default();
                if has_attr(t, "selected") {
                    selected = Some(v.clone());
                }
                options.push(v);
                o = &o[1..];
            }
            fields.push(Field {
                name,
                kind: "select".into(),
                value: selected
                    .filter(|v| !v.is_empty())
                    .or_else(|| options.iter().find(|o| !o.is_empty()).cloned())
                    .unwrap_or_default(),
                checked: false,
                options,
            });
        }
    }
    fields
}

/// Links to pages of the app on `html` (same origin, no downloads, no logout).
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        rest = &rest[at..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(href) = attr(tag, "href") {
            let href = href.split('#').next().unwrap_or("").to_string();
            let download = [".pdf", ".xlsx", ".zip"]
                .iter()
                .any(|e| href.split('?').next().unwrap_or("").ends_with(e));
            if href.starts_with('/')
                && !href.starts_with("/static")
                && !download
                && !href.starts_with("/logout")
                && !href.contains("/evidence/")
            {
                out.push(href);
            }
        }
        rest = &rest[1..];
    }
    out
}

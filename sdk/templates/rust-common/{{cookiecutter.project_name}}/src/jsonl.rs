//! jsonl - the JSON lines neuromesh's exec: backends speak, std only: one
//! request {"id":N,"input":"<json>"} per line in, {"id":N,"output":"<json>"}
//! (or {"id":N,"error":"why"}) per line out. Just enough JSON for that.
use std::io::{BufRead, Write};

/// Your function: the output JSON text for the input JSON text, or why not.
pub type Handler = fn(&str) -> Result<String, String>;

/// Answers every line of input on out until end of input.
pub fn serve(input: impl BufRead, mut out: impl Write, f: Handler) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        let id = number_field(&line, "id").unwrap_or_else(|| "null".into());
        let reply = match string_field(&line, "input") {
            Some(text) => match f(&text) {
                Ok(output) => object(&[("id", id), ("output", quote(&output))]),
                Err(why) => object(&[("id", id), ("error", quote(&why))]),
            },
            None => object(&[("id", id), ("error", quote("not a request"))]),
        };
        writeln!(out, "{}", reply)?;
        out.flush()?;
    }
    Ok(())
}

/// A JSON object of (key, JSON value text) pairs.
pub fn object(pairs: &[(&str, String)]) -> String {
    let mut o = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str(&quote(k));
        o.push(':');
        o.push_str(v);
    }
    o.push('}');
    o
}

/// A JSON string literal of s.
pub fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c if (c as u32) < 0x20 => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn value_start<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let k = quote(key);
    let at = json.find(&k)? + k.len();
    let rest = json[at..].trim_start();
    Some(rest.strip_prefix(':')?.trim_start())
}

/// The top-level string field key of a flat JSON object, unescaped.
pub fn string_field(json: &str, key: &str) -> Option<String> {
    let mut chars = value_start(json, key)?.strip_prefix('"')?.chars();
    let mut s = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(s),
            '\\' => match chars.next()? {
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => s.push(other),
            },
            c => s.push(c),
        }
    }
    None
}

/// The top-level number field key, as its digits.
pub fn number_field(json: &str, key: &str) -> Option<String> {
    let v = value_start(json, key)?;
    let n: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    if n.is_empty() { None } else { Some(n) }
}

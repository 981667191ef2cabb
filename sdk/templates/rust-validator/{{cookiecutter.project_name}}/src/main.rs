//! {{cookiecutter.project_name}} - a NeuroMesh validator's scorer for `neuromesh
//! validator --scorer exec:target/release/{{cookiecutter.project_name}}`. Replace
//! score() with yours: it gets {"task","language","prompt","output","latency_ms"}
//! and answers {"score": 0..1000000, "reason": "..."}.
mod jsonl;

fn score(input: &str) -> Result<String, String> {
    let output = jsonl::string_field(input, "output").unwrap_or_default();
    let ms: u64 = jsonl::number_field(input, "latency_ms").and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let (score, reason) = if output.trim().is_empty() {
        (0, "empty output")
    } else {
        (1_000_000 * 1000 / (1000 + ms), "answered") // any answer scores, a faster one more
    };
    Ok(jsonl::object(&[("score", score.to_string()), ("reason", jsonl::quote(reason))]))
}

fn main() -> std::io::Result<()> {
    jsonl::serve(std::io::stdin().lock(), std::io::stdout().lock(), score)
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_answers_and_refuses_empty_ones() {
        let input = "{\"id\":1,\"input\":\"{\\\"output\\\":\\\"x\\\",\\\"latency_ms\\\":0}\"}\n\
                     {\"id\":2,\"input\":\"{\\\"output\\\":\\\"\\\",\\\"latency_ms\\\":5}\"}\n";
        let mut out = Vec::new();
        super::jsonl::serve(input.as_bytes(), &mut out, super::score).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("{\"id\":1,\"output\":\"{\\\"score\\\":1000000,"), "{}", out);
        assert!(out.contains("{\"id\":2,\"output\":\"{\\\"score\\\":0,"), "{}", out);
    }
}

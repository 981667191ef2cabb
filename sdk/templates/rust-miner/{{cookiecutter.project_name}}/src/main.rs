//! {{cookiecutter.project_name}} - a NeuroMesh miner's model for `neuromesh miner
//! --backend exec:target/release/{{cookiecutter.project_name}}`. Replace model() with
//! yours: CODE_GEN gives {"prompt","language"} and wants {"code","language"}.
mod jsonl;

fn model(input: &str) -> Result<String, String> {
    let prompt = jsonl::string_field(input, "prompt").ok_or("no prompt")?;
    let language = jsonl::string_field(input, "language").unwrap_or_else(|| "python".into());
    let code = format!("# {}\ndef f(*args):\n    return None\n", prompt);
    Ok(jsonl::object(&[("code", jsonl::quote(&code)), ("language", jsonl::quote(&language))]))
}

fn main() -> std::io::Result<()> {
    jsonl::serve(std::io::stdin().lock(), std::io::stdout().lock(), model)
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_each_request_with_its_id() {
        let input = "{\"id\":7,\"input\":\"{\\\"prompt\\\":\\\"write add\\\"}\"}\nnonsense\n";
        let mut out = Vec::new();
        super::jsonl::serve(input.as_bytes(), &mut out, super::model).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("{\"id\":7,\"output\":") && lines[0].contains("write add"));
        assert!(lines[1].contains("\"error\""), "{}", lines[1]);
    }
}

//! on_chain - registers this project's neuron on a dev node (twice: the
//! second says it already is) when NEUROMESH_URL and NEUROMESH_AS are set.
use std::process::Command;

#[test]
fn registers_on_a_dev_node() {
    if std::env::var("NEUROMESH_URL").is_err() || std::env::var("NEUROMESH_AS").is_err() {
        eprintln!("no dev node (NEUROMESH_URL, NEUROMESH_AS): skipped");
        return;
    }
    let args: &[&str] = if env!("CARGO_PKG_DESCRIPTION").contains("validator") {
        &["validator", "100"]
    } else {
        &["miner", "10", "grpc://127.0.0.1:50051"]
    };
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_register")).args(args).output()
            .expect("register runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

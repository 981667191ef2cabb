//! devnode - the quickstart story against a real dev node, when
//! NEUROMESH_URL names one (tests/e2e/sdk.sh starts it); signers from
//! NEUROMESH_SIGNERS ("owner,miner", default "eve,ferdie").
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[test]
fn quickstart_story_on_a_dev_node() {
    let url = match std::env::var("NEUROMESH_URL") {
        Ok(u) => u,
        Err(_) => {
            eprintln!("NEUROMESH_URL not set: no dev node to run against, skipped");
            return;
        }
    };
    let signers = std::env::var("NEUROMESH_SIGNERS").unwrap_or_else(|_| "eve,ferdie".into());
    let (owner, miner) = signers.split_once(',').expect("NEUROMESH_SIGNERS is owner,miner");
    quickstart::story(&url, owner, miner, "rust-sdk").expect("the story runs");
}

#[test]
fn connecting_to_nothing_is_a_clear_error() {
    let e = neuromesh::Client::connect("ws://127.0.0.1:1").err().expect("no node there");
    assert_eq!(e.name, "CONNECT");
    assert!(e.message.contains("127.0.0.1:1"), "{}", e.message);
}

//! register - registers this project's neuron on its subnet with the
//! NeuroMesh Rust SDK: register miner|validator STAKE_NMT [ENDPOINT].
//! NEUROMESH_URL names the node, NEUROMESH_AS the signer (a dev name on a
//! dev chain), NEUROMESH_SUBNET the subnet. Registering twice is fine.
use std::env;

fn main() {
    let a: Vec<String> = env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: register miner|validator STAKE_NMT [ENDPOINT]");
        std::process::exit(2);
    }
    let url = env::var("NEUROMESH_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let signer = env::var("NEUROMESH_AS").unwrap_or_default();
    let subnet: u16 = env::var("NEUROMESH_SUBNET").unwrap_or_else(|_| "{{cookiecutter.subnet}}".into())
        .parse().expect("NEUROMESH_SUBNET is a subnet id");
    let stake: u64 = a[2].parse::<u64>().expect("STAKE_NMT is whole NMT") * neuromesh::NMT;
    let endpoint = a.get(3).map(String::as_str).unwrap_or("");
    let result = neuromesh::Client::connect(&url)
        .and_then(|c| c.register(&signer, subnet, &a[1], stake, endpoint));
    match result {
        Ok(r) => println!("registered on subnet {} as uid {}", subnet,
                          r.field("registry.Registered", "uid").unwrap_or("?")),
        Err(e) if e.name == "ALREADY_REGISTERED" => println!("already registered on subnet {}", subnet),
        Err(e) => {
            eprintln!("error: register: {}", e);
            std::process::exit(1);
        }
    }
}

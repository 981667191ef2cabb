// build.rs - finds libneuromesh: NEUROMESH_LIB_DIR (a directory holding
// libneuromesh.so), else `pkg-config --libs neuromesh` (an installed SDK,
// `make install`). std only: no build dependencies to download.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=NEUROMESH_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if let Ok(dir) = env::var("NEUROMESH_LIB_DIR") {
        println!("cargo:rustc-link-search=native={}", dir);
        println!("cargo:rustc-link-lib=dylib=neuromesh");
        return;
    }
    let out = Command::new("pkg-config").args(["--libs", "neuromesh"]).output();
    match out {
        Ok(o) if o.status.success() => {
            for flag in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    println!("cargo:rustc-link-search=native={}", dir);
                } else if let Some(lib) = flag.strip_prefix("-l") {
                    println!("cargo:rustc-link-lib=dylib={}", lib);
                }
            }
        }
        _ => panic!(
            "libneuromesh not found: set NEUROMESH_LIB_DIR or install it (make install) \
             so that `pkg-config --libs neuromesh` works"
        ),
    }
}

//! Embeds the git commit the binary is built from, for `accord --version`; "unknown" outside a
//! git checkout (a source tarball, a container build without `.git`).

use std::{path::Path, process::Command};

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|commit| commit.trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=ACCORD_COMMIT={commit}");
    // A new commit moves the branch the HEAD file names (or HEAD itself when detached).
    if let Some(git_dir) = git_dir() {
        let head = git_dir.join("HEAD");
        println!("cargo:rerun-if-changed={}", head.display());
        if let Ok(head) = std::fs::read_to_string(&head) {
            if let Some(reference) = head.strip_prefix("ref: ") {
                for dir in [git_dir.clone(), common_dir(&git_dir)] {
                    let path = dir.join(reference.trim());
                    if path.exists() {
                        println!("cargo:rerun-if-changed={}", path.display());
                    }
                }
                let packed = common_dir(&git_dir).join("packed-refs");
                if packed.exists() {
                    println!("cargo:rerun-if-changed={}", packed.display());
                }
            }
        }
    } else {
        println!("cargo:rerun-if-changed=build.rs");
    }
}

/// The checkout's git directory: `.git` itself, or where a worktree's `.git` file points.
fn git_dir() -> Option<std::path::PathBuf> {
    let dot_git = Path::new(".git");
    if dot_git.is_dir() {
        return Some(dot_git.to_path_buf());
    }
    let pointer = std::fs::read_to_string(dot_git).ok()?;
    Some(pointer.strip_prefix("gitdir: ")?.trim().into())
}

/// Where branches live: a worktree's git directory names the shared one in `commondir`.
fn common_dir(git_dir: &Path) -> std::path::PathBuf {
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(common) => git_dir.join(common.trim()),
        Err(_) => git_dir.to_path_buf(),
    }
}

//! Every performance or memory figure in the README's `性能 Performance` section sits in a block
//! (from one bold heading to the next) that names the command printing it, and every command named
//! there exists: `cargo bench --bench NAME` has `benches/NAME.rs` and its `[[bench]]` entry,
//! `scripts/NAME.sh` is an executable script.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn performance_section() -> String {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = text
        .find("## 性能 Performance")
        .expect("a performance section");
    let rest = &text[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i);
    // The template subsection that follows is not about performance.
    let end = rest.find("\n### ").map_or(end, |i| i.min(end));
    rest[..end].to_string()
}

/// Whether a line states a measured figure: a number followed by a unit of time or memory.
fn has_figure(line: &str) -> bool {
    let units = [" MiB", " MB", " KB", " ms", " s ", " s)", " s |", "/s)"];
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len()).any(|i| {
        chars[i].is_ascii_digit()
            && units.iter().any(|u| {
                let tail: String = chars[i + 1..].iter().collect();
                tail.starts_with(u)
            })
    })
}

/// The commands a block names.
fn commands(block: &str) -> Vec<String> {
    block
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("cargo bench --bench ") || c.starts_with("scripts/"))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_figure_names_the_command_that_prints_it() {
    let section = performance_section();
    let mut blocks: Vec<String> = vec![String::new()];
    for line in section.lines() {
        if line.starts_with("**") {
            blocks.push(String::new());
        }
        let b = blocks.last_mut().unwrap();
        b.push_str(line);
        b.push('\n');
    }
    let mut seen = 0;
    for b in &blocks {
        let figures: Vec<&str> = b.lines().filter(|l| has_figure(l)).collect();
        if figures.is_empty() {
            continue;
        }
        seen += figures.len();
        assert!(
            !commands(b).is_empty(),
            "figures without a command that prints them:\n{}",
            figures.join("\n")
        );
    }
    assert!(seen >= 10, "only {seen} lines with figures found");
}

#[test]
fn every_command_named_exists() {
    let section = performance_section();
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let named = commands(&section);
    assert!(named.len() >= 4, "{named:?}");
    for c in named {
        if let Some(rest) = c.strip_prefix("cargo bench --bench ") {
            let name = rest.split_whitespace().next().unwrap();
            assert!(root().join(format!("benches/{name}.rs")).exists(), "{c}");
            assert!(
                cargo.contains(&format!("[[bench]]\nname = \"{name}\"")),
                "{c}: no [[bench]] entry"
            );
        } else {
            let script = c.split_whitespace().next().unwrap();
            let path = root().join(script);
            assert!(path.exists(), "{c}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert!(mode & 0o111 != 0, "{script} is not executable");
            }
        }
    }
}

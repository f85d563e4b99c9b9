//! The config files, wherever they come from: [`ConfigFiles::builtin`] carries the defaults
//! compiled into the binary (so it runs from any folder), [`ConfigFiles::read`] reads an edited
//! copy from a folder (`--config DIR` or `COFFEE_COACH_CONFIG`), [`ConfigFiles::export`] writes
//! the defaults out for editing. Every loader takes its text from here, with the file's path
//! (real or `builtin:...`) for its error messages.

use std::path::{Path, PathBuf};

use super::config::Problem;

/// The default config, as committed in `config/`.
const BUILTIN: [(&str, &str); 11] = [
    ("bot.toml", include_str!("../../config/bot.toml")),
    ("coach.toml", include_str!("../../config/coach.toml")),
    ("rewrite.toml", include_str!("../../config/rewrite.toml")),
    ("tips.toml", include_str!("../../config/tips.toml")),
    (
        "checks/_learned.toml",
        include_str!("../../config/checks/_learned.toml"),
    ),
    (
        "checks/_vocabulary.toml",
        include_str!("../../config/checks/_vocabulary.toml"),
    ),
    (
        "checks/not-free-advice.toml",
        include_str!("../../config/checks/not-free-advice.toml"),
    ),
    (
        "checks/not-searchable.toml",
        include_str!("../../config/checks/not-searchable.toml"),
    ),
    (
        "checks/reason-for-them.toml",
        include_str!("../../config/checks/reason-for-them.toml"),
    ),
    (
        "checks/right-people.toml",
        include_str!("../../config/checks/right-people.toml"),
    ),
    (
        "checks/right-size-ask.toml",
        include_str!("../../config/checks/right-size-ask.toml"),
    ),
];

/// One config file: where it came from (for messages) and its text.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// `DIR/checks/x.toml`, or `builtin:checks/x.toml` for the defaults.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
}

/// A whole config: `bot.toml`, `coach.toml`, `rewrite.toml`, `tips.toml` and `checks/*.toml`.
#[derive(Debug, Clone)]
pub struct ConfigFiles {
    /// The folder it was read from; `None` for the built-in defaults.
    pub dir: Option<PathBuf>,
    /// The files, by path relative to the config folder (`checks/x.toml`), sorted.
    files: Vec<(String, ConfigFile)>,
}

impl ConfigFiles {
    /// The defaults compiled into the binary.
    pub fn builtin() -> ConfigFiles {
        let mut files: Vec<(String, ConfigFile)> = BUILTIN
            .iter()
            .map(|(name, text)| {
                let file = ConfigFile {
                    path: PathBuf::from(format!("builtin:{name}")),
                    text: (*text).to_string(),
                };
                (name.to_string(), file)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        ConfigFiles { dir: None, files }
    }

    /// Reads the `*.toml` files of `dir` and `dir/checks`.
    pub fn read(dir: &Path) -> std::io::Result<ConfigFiles> {
        let mut files = Vec::new();
        for sub in ["", "checks"] {
            let folder = dir.join(sub);
            let entries = match std::fs::read_dir(&folder) {
                Ok(entries) => entries,
                // No `checks/` at all: loading says there are no checks.
                Err(e) if !sub.is_empty() && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_none_or(|x| x != "toml") {
                    continue;
                }
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{}: the file name is not UTF-8", path.display()),
                    ));
                };
                let key = if sub.is_empty() {
                    name.to_string()
                } else {
                    format!("{sub}/{name}")
                };
                let text = std::fs::read_to_string(&path)?;
                files.push((key, ConfigFile { path, text }));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(ConfigFiles {
            dir: Some(dir.to_path_buf()),
            files,
        })
    }

    /// The built-in defaults, or the folder `dir` when one is given.
    pub fn from_dir_or_builtin(dir: Option<&Path>) -> std::io::Result<ConfigFiles> {
        match dir {
            Some(dir) => ConfigFiles::read(dir),
            None => Ok(ConfigFiles::builtin()),
        }
    }

    /// The file at `name` (`bot.toml`, `checks/_vocabulary.toml`), if present.
    pub fn get(&self, name: &str) -> Option<&ConfigFile> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }

    /// The file at `name`, or the problem that it is missing.
    pub fn require(&self, name: &str) -> Result<&ConfigFile, Problem> {
        self.get(name).ok_or_else(|| {
            Problem::file(
                self.path_of(name).display().to_string(),
                "missing (`coffee-coach config export DIR` writes every file)",
            )
        })
    }

    /// The file at `name`, or a placeholder path (for the error "cannot read") when missing.
    pub fn path_of(&self, name: &str) -> PathBuf {
        match (&self.get(name), &self.dir) {
            (Some(f), _) => f.path.clone(),
            (None, Some(dir)) => dir.join(name),
            (None, None) => PathBuf::from(format!("builtin:{name}")),
        }
    }

    /// Every file under `checks/`, in name order.
    pub fn checks(&self) -> impl Iterator<Item = (&str, &ConfigFile)> {
        self.files
            .iter()
            .filter_map(|(k, f)| k.strip_prefix("checks/").map(|name| (name, f)))
    }

    /// Where the config comes from, for logs and `check-config`.
    pub fn origin(&self) -> String {
        match &self.dir {
            Some(dir) => dir.display().to_string(),
            None => "the built-in defaults".to_string(),
        }
    }

    /// Writes every file under `dir` (creating `dir` and `dir/checks`); refuses to overwrite.
    pub fn export(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir.join("checks"))?;
        let mut written = Vec::new();
        for (name, file) in &self.files {
            let path = dir.join(name);
            if path.exists() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} already exists; export into an empty folder",
                        path.display()
                    ),
                ));
            }
            std::fs::write(&path, &file.text)?;
            written.push(path);
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_config_has_every_file_of_the_config_folder() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config"));
        let on_disk = ConfigFiles::read(dir).expect("config/ reads");
        let builtin = ConfigFiles::builtin();
        let names = |c: &ConfigFiles| c.files.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&builtin),
            names(&on_disk),
            "add new config files to BUILTIN"
        );
        for (name, file) in &on_disk.files {
            assert_eq!(
                builtin.get(name).map(|f| &f.text),
                Some(&file.text),
                "{name}"
            );
        }
    }
}

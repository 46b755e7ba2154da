//! The container image (`deploy/container/`): `build.sh` packages the binary
//! cargo built for this test into an image with podman (vfs storage in a
//! temporary root: nothing of the machine's images, nothing downloaded), then
//! podman runs that binary from the image's own file system: `--version`, then
//! `serve` as the image's non-root user in its working directory `/data`,
//! configured through the environment, answering `/healthz`, with the shipped
//! models and sample loaded from `/usr/share/leadscore`.
//!
//! podman is outside the workspace: without it the test says so and passes,
//! unless `LEADSCORE_REQUIRE_PODMAN` is set (CI sets it), in which case it
//! fails.
//!
//! Sandboxed machines (this project's CI VMs among them) cannot start a
//! container the way podman does by default: the process may not raise its
//! rlimits (no `CAP_SYS_RESOURCE`), and crun refuses a hybrid cgroup host whose
//! cgroup v2 hierarchy holds a controller. When a plain `podman run` fails, the
//! test says why and runs the containers with lower rlimits, no cgroups, and
//! crun through a wrapper that unmounts the cgroup v2 hierarchy in its own
//! private mount namespace (the machine's mounts are untouched). The container
//! is podman's all the same: the image's root file system, user, working
//! directory, environment and entrypoint.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

type Error = Box<dyn std::error::Error>;
type TestResult = Result<(), Error>;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The image's user and group (deploy/container/build.sh).
const UID: u32 = 10001;

/// Where the image keeps the shipped models and sample.
const SHARE: &str = "/usr/share/leadscore";

/// How long `serve` may take to answer `/healthz`, and to stop.
const START: Duration = Duration::from_secs(60);
const STOP: Duration = Duration::from_secs(30);

/// Writes a line to the real stderr, past the test harness's capture, so that
/// a skip or the sandbox's workaround shows in CI's log.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn required() -> bool {
    std::env::var_os("LEADSCORE_REQUIRE_PODMAN").is_some_and(|v| !v.is_empty())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

fn failure(what: &str, output: &Output) -> Error {
    format!(
        "{what} failed ({}):\n{}\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    )
    .into()
}

/// podman with its own store, run state and runtime folders inside `dir`.
struct Podman {
    global: Vec<String>,
    /// `podman run` flags this machine needs (see the module's comment).
    run_flags: Vec<String>,
}

impl Podman {
    fn new(dir: &Path) -> Result<Self, Error> {
        let mut global = Vec::new();
        for (flag, sub) in [
            ("--root", "storage"),
            ("--runroot", "run"),
            ("--tmpdir", "libpod"),
        ] {
            let path = dir.join(sub);
            let path = path.to_str().ok_or("the temporary folder is not UTF-8")?;
            if path.contains(char::is_whitespace) {
                return Err(format!("build.sh cannot take a folder with spaces: {path}").into());
            }
            global.extend([flag.to_owned(), path.to_owned()]);
        }
        global
            .extend(["--cgroup-manager", "cgroupfs", "--events-backend", "file"].map(String::from));
        Ok(Self {
            global,
            run_flags: Vec::new(),
        })
    }

    fn command(&self) -> Command {
        let mut command = Command::new("podman");
        command
            .args(["--storage-driver", "vfs"])
            .args(&self.global)
            .stdin(Stdio::null());
        command
    }

    fn output(&self, args: &[&str]) -> Result<Output, Error> {
        Ok(self.command().args(args).output()?)
    }

    /// `podman ARGS`, which must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> Result<String, Error> {
        let output = self.output(args)?;
        if !output.status.success() {
            return Err(failure(&format!("podman {}", args.join(" ")), &output));
        }
        Ok(text(&output.stdout))
    }

    /// `podman run` of the image, removed when it stops, with no shared memory
    /// mounted on the host and nothing pulled.
    fn run(&self) -> Command {
        let mut command = self.command();
        command
            .args(["run", "--rm", "--pull=never", "--ipc=none"])
            .args(&self.run_flags);
        command
    }

    /// Runs the containers as this sandbox allows (the module's comment).
    fn work_around_the_sandbox(&mut self, dir: &Path) -> Result<(), Error> {
        let crun = self.ok(&["info", "--format", "{{.Host.OCIRuntime.Path}}"])?;
        if !crun.ends_with("/crun") {
            return Err(format!("the workaround is for crun, and the runtime is {crun}").into());
        }
        let wrapper_dir = dir.join("runtime");
        std::fs::create_dir_all(&wrapper_dir)?;
        // Named crun: podman runs containers without cgroups with crun only.
        let wrapper = wrapper_dir.join("crun");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\n\
                 # crun refuses a hybrid cgroup host whose cgroup v2 hierarchy has a\n\
                 # controller: hide that hierarchy in a private mount namespace.\n\
                 exec unshare --mount --propagation private sh -c \
                 'umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$@\"' {crun} \"$@\"\n"
            ),
        )?;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
        let wrapper = wrapper
            .to_str()
            .ok_or("the temporary folder is not UTF-8")?;
        self.global
            .extend(["--runtime".to_owned(), wrapper.to_owned()]);
        self.run_flags = [
            "--cgroups=disabled",
            "--ulimit=nofile=4096:4096",
            "--ulimit=nproc=4096:4096",
        ]
        .map(String::from)
        .to_vec();
        Ok(())
    }
}

/// The serving container: removed, and `podman run` reaped, whatever happens.
struct Serving<'a> {
    podman: &'a Podman,
    name: String,
    child: Child,
    log: PathBuf,
}

impl Serving<'_> {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for `podman run` to end.
    fn wait(&mut self, limit: Duration) -> Result<std::process::ExitStatus, Error> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if start.elapsed() > limit {
                return Err(
                    format!("the container did not stop in {limit:?}:\n{}", self.log()).into(),
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self
                .podman
                .output(&["rm", "--force", "--time", "0", &self.name]);
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `GET path` on 127.0.0.1:port: the status code and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

/// A `/proc/PID/status` line's first number (`Uid`, `Gid`).
fn proc_id(pid: &str, field: &str) -> Result<u32, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status").into())
}

/// Every path in the image's file system, relative, sorted.
fn files(dir: &Path, root: &Path, out: &mut Vec<String>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let relative = path.strip_prefix(root)?.to_string_lossy().into_owned();
        if path.is_dir() && !path.is_symlink() {
            files(&path, root, out)?;
        }
        out.push(relative);
    }
    out.sort();
    Ok(())
}

/// What the image holds: the binary, its libraries, the loader, /etc's few
/// files, the shipped models and sample, /tmp and /data; no shell.
fn check_contents(podman: &Podman, image: &str) -> TestResult {
    // With vfs the "mount" is the image's own folder: nothing is mounted.
    let root = PathBuf::from(podman.ok(&["image", "mount", image])?);
    let checked = check_root(&root);
    podman.ok(&["image", "unmount", image])?;
    checked
}

fn check_root(root: &Path) -> TestResult {
    let mut all = Vec::new();
    files(root, root, &mut all)?;
    let allowed = |p: &str| {
        [
            "usr",
            "usr/bin",
            "usr/bin/leadscore",
            "usr/share",
            "etc",
            "etc/passwd",
            "etc/group",
            "etc/nsswitch.conf",
            "etc/ssl",
            "etc/ssl/certs",
            "etc/ssl/certs/ca-certificates.crt",
            "tmp",
            "data",
        ]
        .contains(&p)
            || p.starts_with("usr/share/leadscore")
            || p.starts_with("lib")
            || p.starts_with("usr/lib")
    };
    let unexpected: Vec<&String> = all.iter().filter(|p| !allowed(p)).collect();
    assert!(
        unexpected.is_empty(),
        "the image holds more than the service needs: {unexpected:?}"
    );
    for needed in [
        "usr/bin/leadscore",
        "lib64/ld-linux-x86-64.so.2",
        "usr/share/leadscore/models/conversion/model.json",
        "usr/share/leadscore/training-data/sample",
    ] {
        assert!(
            all.iter().any(|p| p == needed),
            "the image has no /{needed}"
        );
    }
    let data = std::fs::metadata(root.join("data"))?;
    assert_eq!(
        (data.uid(), data.gid()),
        (UID, UID),
        "/data is not the service's"
    );
    let bin = std::fs::metadata(root.join("usr/bin/leadscore"))?;
    assert_eq!(
        bin.uid(),
        0,
        "the binary must be root's, read-only to the service"
    );
    let built = std::fs::metadata(env!("CARGO_BIN_EXE_leadscore"))?.len();
    say(&format!(
        "container: /usr/bin/leadscore is {} MB in the image ({} MB as cargo built it), \
         {} paths in the image",
        bin.len() >> 20,
        built >> 20,
        all.len()
    ));
    let passwd = std::fs::read_to_string(root.join("etc/passwd"))?;
    assert!(
        passwd.contains(&format!(":{UID}:{UID}:")),
        "no uid {UID} in /etc/passwd: {passwd}"
    );
    Ok(())
}

#[test]
fn image_builds_and_serves_from_its_own_file_system() -> TestResult {
    let found = Command::new("podman")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    // The store's files are uid 10001's, the process's /proc entries are read,
    // and the sandbox's workaround unshares a mount namespace: root's work.
    let root = proc_id("self", "Uid")? == 0;
    if !found || !root {
        let why = if found {
            "it needs root (rootful podman)"
        } else {
            "podman is missing (`apt-get install podman`)"
        };
        if required() {
            return Err(format!("LEADSCORE_REQUIRE_PODMAN is set and {why}").into());
        }
        say(&format!(
            "SKIPPED image_builds_and_serves_from_its_own_file_system: {why}; \
             set LEADSCORE_REQUIRE_PODMAN=1 to fail instead"
        ));
        return Ok(());
    }
    let tmp = tempfile::Builder::new()
        .prefix("leadscore-container")
        .tempdir()?;
    let mut podman = Podman::new(tmp.path())?;
    let image = "localhost/leadscore:test";

    // The image, from the binary cargo built for this test.
    let start = Instant::now();
    let built = Command::new("bash")
        .arg(Path::new(ROOT).join("deploy/container/build.sh"))
        .args([env!("CARGO_BIN_EXE_leadscore"), image])
        .env("PODMAN_STORAGE_DRIVER", "vfs")
        .env("PODMAN_FLAGS", podman.global.join(" "))
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .output()?;
    if !built.status.success() {
        return Err(failure("deploy/container/build.sh", &built));
    }
    say(&format!(
        "container: image built in {:.1?}",
        start.elapsed()
    ));

    // Its configuration: non-root, /data, the environment, the entrypoint.
    let inspected: Value = serde_json::from_str(&podman.ok(&["image", "inspect", image])?)?;
    let config = &inspected[0]["Config"];
    assert_eq!(config["User"], format!("{UID}:{UID}"), "{config}");
    assert_eq!(config["WorkingDir"], "/data", "{config}");
    assert_eq!(
        config["Entrypoint"],
        serde_json::json!(["/usr/bin/leadscore"]),
        "{config}"
    );
    assert_eq!(config["Cmd"], serde_json::json!(["serve"]), "{config}");
    assert!(config["ExposedPorts"].get("8080/tcp").is_some(), "{config}");
    let env: Vec<&str> = config["Env"]
        .as_array()
        .map(|e| e.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(env.contains(&"LEADSCORE_LISTEN=0.0.0.0:8080"), "{env:?}");
    let models = format!("LEADSCORE_MODELS_DIR={SHARE}/models");
    let sample = format!("LEADSCORE_SAMPLE_DIR={SHARE}/training-data/sample");
    assert!(env.contains(&models.as_str()), "{env:?}");
    assert!(env.contains(&sample.as_str()), "{env:?}");
    check_contents(&podman, image)?;

    // `--version`, from the image; as this sandbox allows when a plain run fails.
    let version = |podman: &Podman| -> Result<Output, Error> {
        Ok(podman
            .run()
            .args(["--network=none", image, "--version"])
            .output()?)
    };
    let mut ran = version(&podman)?;
    if !ran.status.success() {
        let plain = text(&ran.stderr);
        say(&format!(
            "container: a plain `podman run` fails here ({plain}); running the containers \
             with lower rlimits, no cgroups, and crun without the cgroup v2 mount"
        ));
        podman
            .work_around_the_sandbox(tmp.path())
            .map_err(|e| format!("a plain `podman run` fails ({plain}), and {e}"))?;
        ran = version(&podman)?;
    }
    if !ran.status.success() {
        return Err(failure("leadscore --version in the image", &ran));
    }
    assert_eq!(
        text(&ran.stdout),
        format!("leadscore {}", env!("CARGO_PKG_VERSION"))
    );

    // `serve`, configured through the environment, with the shipped models and
    // sample loaded from the image into its default store, /data/leadscore.db.
    let port = free_port()?;
    let name = format!("leadscore-test-{}", std::process::id());
    let log = tmp.path().join("serve.log");
    let output = File::create(&log)?;
    let child = podman
        .run()
        .args(["--name", &name, "--network=host"])
        .arg(format!("--env=LEADSCORE_LISTEN=127.0.0.1:{port}"))
        // The image's environment names the shipped folders
        // (LEADSCORE_MODELS_DIR, LEADSCORE_SAMPLE_DIR): no flags needed.
        .args([image, "serve", "--load-sample"])
        .stdout(output.try_clone()?)
        .stderr(output)
        .spawn()?;
    let mut serving = Serving {
        podman: &podman,
        name,
        child,
        log,
    };
    let start = Instant::now();
    loop {
        if get(port, "/healthz").is_some_and(|(status, _)| status == 200) {
            break;
        }
        if let Some(status) = serving.child.try_wait()? {
            return Err(format!("serve exited ({status}):\n{}", serving.log()).into());
        }
        if start.elapsed() > START {
            return Err(format!("no answer from /healthz in {START:?}:\n{}", serving.log()).into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    say(&format!(
        "container: serve answered /healthz in {:.1?}",
        start.elapsed()
    ));
    let (status, body) = get(port, "/readyz").ok_or("no answer from /readyz")?;
    let ready: Value = serde_json::from_str(&body)?;
    let rule_models = std::fs::read_dir(Path::new(ROOT).join("models/rules"))?
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        })
        .count();
    assert_eq!(status, 200, "{body}");
    assert_eq!(ready["rule_models"], rule_models, "{body}");
    assert!(ready["conversion_model"].is_i64(), "{body}");

    // The process: the image's user, in /data, its store there and its own.
    let pid = serving
        .podman
        .ok(&["inspect", "--format", "{{.State.Pid}}", &serving.name])?;
    assert_eq!(
        proc_id(&pid, "Uid")?,
        UID,
        "serve does not run as uid {UID}"
    );
    assert_eq!(
        proc_id(&pid, "Gid")?,
        UID,
        "serve does not run as gid {UID}"
    );
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/cwd"))?,
        Path::new("/data")
    );
    let store = std::fs::metadata(format!("/proc/{pid}/root/data/leadscore.db"))?;
    assert_eq!(store.uid(), UID, "/data/leadscore.db is not the service's");

    // A clean stop: SIGTERM, the service's graceful shutdown, the container
    // removed, no process and no mount left.
    serving
        .podman
        .ok(&["stop", "--time", &STOP.as_secs().to_string(), &serving.name])?;
    let status = serving.wait(STOP)?;
    assert!(
        status.success(),
        "serve ended with {status}:\n{}",
        serving.log()
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} is still there"
    );
    drop(serving);
    assert_eq!(
        podman.ok(&["ps", "--all", "--quiet"])?,
        "",
        "a container is left"
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")?;
    let tmp_path = tmp.path().to_string_lossy();
    assert!(
        !mounts.contains(tmp_path.as_ref()),
        "mounts are left under {tmp_path}:\n{mounts}"
    );
    say(&format!(
        "container: --version and serve ran from the image as uid {UID} ({})",
        if podman.run_flags.is_empty() {
            "plain podman run"
        } else {
            "podman run with the sandbox's workaround"
        }
    ));
    Ok(())
}

//! The scenario's `apps`: how the program in a container behaves, chosen by pod labels and image.

use super::dist::Dist;
use super::faults::no_match;
use super::field::{Field, Fields, Result};
use super::manifests::Index;
use super::model::{AppSpec, OnSigterm};
use std::collections::BTreeMap;

/// The keys of an `apps` entry.
pub(crate) const APP: &[&str] = &[
    "match",
    "image",
    "image-pull",
    "listen-after",
    "serve-after",
    "crash-after",
    "exit-after",
    "exit-code",
    "crash-recovery",
    "latency",
    "on-sigterm",
    "image-size",
    "data-lock",
];

/// Reads one `apps` entry; `match` labels must select some workload's pods among the manifests.
pub(crate) fn app(item: &Field, index: &Index) -> Result<AppSpec> {
    let f = item.fields(APP)?;
    let image = f.opt("image").map(|i| image_pattern(&i)).transpose()?;
    let match_labels = match_labels(&f, image.is_some(), index)?;
    let (listen_after, serve_after) = start_up(&f)?;
    let dist =
        |key: &str, default: Dist| Ok(f.opt(key).map(|d| d.dist()).transpose()?.unwrap_or(default));
    Ok(AppSpec {
        match_labels,
        image,
        image_pull: dist("image-pull", Dist::Const(1_000))?,
        listen_after,
        serve_after,
        crash_after: never_or(&f, "crash-after", None)?,
        exit_after: f.opt("exit-after").map(|d| d.dist()).transpose()?,
        exit_code: exit_code(&f)?,
        crash_recovery: dist("crash-recovery", Dist::Const(0))?,
        latency: dist("latency", Dist::Const(5))?,
        image_size_bytes: f
            .opt("image-size")
            .map(|q| q.bytes())
            .transpose()?
            .unwrap_or(100 << 20),
        data_lock: f
            .opt("data-lock")
            .map(|b| b.bool())
            .transpose()?
            .unwrap_or(false),
        on_sigterm: f
            .opt("on-sigterm")
            .map(|s| on_sigterm(&s))
            .transpose()?
            .unwrap_or(OnSigterm {
                close_listener: true,
                exit_after: Some(Dist::Const(0)),
            }),
    })
}

/// The field `key` as a duration, a distribution or `never` (None); `default` when absent.
fn never_or(f: &Fields, key: &str, default: Option<Dist>) -> Result<Option<Dist>> {
    match f.opt(key) {
        None => Ok(default),
        Some(field) => field.dist_or_never(),
    }
}

/// `image`: a container image as the pod spec names it, or a prefix ending in `*` (`nginx:*`).
fn image_pattern(field: &Field) -> Result<String> {
    let image = field.str()?;
    if image.is_empty() || image.contains(char::is_whitespace) {
        let reason = format!("{image:?} is not an image; write it as the pod spec does, like nginx:1.27, or a prefix like nginx:*");
        return Err(field.invalid(reason));
    }
    if image.find('*').is_some_and(|i| i + 1 != image.len()) {
        let reason =
            format!("{image:?}: `*` may only end an image, as a prefix wildcard like nginx:*");
        return Err(field.invalid(reason));
    }
    Ok(image.to_string())
}

/// `match`: pod labels (at least one) that select some workload's pods; without it (allowed only
/// with `image`) the entry applies to pods of any labels.
fn match_labels(f: &Fields, has_image: bool, index: &Index) -> Result<BTreeMap<String, String>> {
    let matcher = match f.opt("match") {
        None if has_image => return Ok(BTreeMap::new()),
        None => return Err(f.field.missing("match")),
        Some(m) => m,
    };
    let labels = matcher.labels()?;
    if labels.is_empty() {
        return Err(matcher.invalid("an empty match; name at least one pod label, like {app: web}"));
    }
    if index.matching(None, &labels).next().is_none() {
        return Err(no_match(&matcher, "default", &labels));
    }
    Ok(labels)
}

/// `listen-after` (default 0s) and `serve-after` (default: as `listen-after`), each possibly `never`;
/// a program cannot answer before it listens.
fn start_up(f: &Fields) -> Result<(Option<Dist>, Option<Dist>)> {
    let listen = never_or(f, "listen-after", Some(Dist::Const(0)))?;
    let serve = match f.opt("serve-after") {
        None => listen.clone(),
        Some(s) => s.dist_or_never()?,
    };
    let reason = match (&listen, &serve) {
        (None, Some(_)) => "a program that never listens (listen-after: never) cannot answer; leave serve-after out or make it never",
        (Some(l), Some(s)) if matches!((l.as_const(), s.as_const()), (Some(l), Some(s)) if s < l) => {
            "a program cannot answer before it listens (serve-after < listen-after)"
        }
        _ => return Ok((listen, serve)),
    };
    Err(f.req("serve-after")?.invalid(reason))
}

/// `{close-listener: bool, exit-after: DURATION | DIST | never}`.
fn on_sigterm(field: &Field) -> Result<OnSigterm> {
    let f = field.fields(&["close-listener", "exit-after"])?;
    let close_listener = f
        .opt("close-listener")
        .map(|c| c.bool())
        .transpose()?
        .unwrap_or(true);
    Ok(OnSigterm {
        close_listener,
        exit_after: never_or(&f, "exit-after", Some(Dist::Const(0)))?,
    })
}

/// `exit-code`: 0 to 255 (default 0), only with `exit-after`.
fn exit_code(f: &Fields) -> Result<i32> {
    let Some(field) = f.opt("exit-code") else {
        return Ok(0);
    };
    if f.opt("exit-after").is_none() {
        return Err(field.invalid("exit-code needs exit-after (when the program exits)"));
    }
    let code = field.u64()?;
    if code > 255 {
        return Err(field.invalid(format!("{code} is not an exit code (0 to 255)")));
    }
    Ok(code as i32)
}

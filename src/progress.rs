//! The progress bar a long check shows on stderr.
//!
//! The check only stores what it is doing: the phase (a message, and how
//! many items it has when it counts them) under a lock taken once per phase,
//! and the items done in an atomic counter. A thread of its own waits out
//! the delay, so a quick check draws nothing at all, then draws the bar at
//! most ten times a second, and clears it when the check is done. The check
//! never waits for the terminal.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How long a check runs before the bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// Sets [`DELAY`], in milliseconds (for tests; other values are ignored).
pub const DELAY_VAR: &str = "SITELINT_PROGRESS_DELAY_MS";

/// How often the bar is redrawn.
const REFRESH: Duration = Duration::from_millis(100);
const REFRESH_HZ: u8 = 10;

const COUNTING: &str = "{spinner} {phase} [{bar:30}] {pos}/{len} ({elapsed})";
const WORKING: &str = "{spinner} {phase} ({elapsed})";

/// A progress bar, or none (hidden): every method is cheap either way.
/// Dropping it clears the bar.
pub struct Progress {
    running: Option<Running>,
}

struct Running {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What the check and the drawing thread share.
struct Shared {
    /// Items done in the current phase.
    done: AtomicU64,
    state: Mutex<State>,
    /// Wakes the drawing thread when the check is done.
    wake: Condvar,
}

#[derive(Default)]
struct State {
    phase: Phase,
    /// Bumped by each new phase, so the thread sees a change.
    generation: u64,
    stop: bool,
}

#[derive(Default)]
struct Phase {
    message: Cow<'static, str>,
    /// How many items the phase counts in [`Progress::counter`], if any.
    len: Option<u64>,
}

impl Progress {
    /// No bar.
    pub fn hidden() -> Progress {
        Progress { running: None }
    }

    /// A bar on stderr that appears after `delay`, when stderr is a terminal
    /// (indicatif's test: a tty, and `TERM` set and not `dumb`).
    pub fn stderr(delay: Duration) -> Progress {
        let target = ProgressDrawTarget::stderr_with_hz(REFRESH_HZ);
        if target.is_hidden() { Progress::hidden() } else { Progress::start(delay, target) }
    }

    /// A bar drawn to `target` from `delay` on.
    pub fn start(delay: Duration, target: ProgressDrawTarget) -> Progress {
        let shared = Arc::new(Shared {
            done: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let started = Instant::now();
        let thread = std::thread::Builder::new()
            .name("sitelint-progress".into())
            .spawn({
                let shared = shared.clone();
                move || draw(&shared, started, delay, target)
            })
            // No thread, no bar: the check does not need one.
            .ok();
        Progress { running: thread.map(|thread| Running { shared, thread: Some(thread) }) }
    }

    /// Starts a phase: what the check is doing, and how many items it will
    /// count in [`Progress::counter`] if it counts them. Resets the count.
    pub fn phase(&self, message: impl Into<Cow<'static, str>>, len: Option<u64>) {
        let Some(running) = &self.running else { return };
        let mut state = lock(&running.shared.state);
        running.shared.done.store(0, Ordering::Relaxed);
        state.phase = Phase { message: message.into(), len };
        state.generation += 1;
        // The first phase may be what the bar waits for to appear.
        running.shared.wake.notify_all();
    }

    /// The count of items done in the current phase, for the work to
    /// increment; `None` when there is no bar.
    pub fn counter(&self) -> Option<&AtomicU64> {
        self.running.as_ref().map(|running| &running.shared.done)
    }

    /// Clears the bar, and returns once it is gone from the terminal.
    pub fn finish(self) {}

    /// The current phase's message, its count and its length, for tests of
    /// what the work reports; `None` when there is no bar.
    #[cfg(test)]
    pub(crate) fn current(&self) -> Option<(String, u64, Option<u64>)> {
        let running = self.running.as_ref()?;
        let state = lock(&running.shared.state);
        Some((state.phase.message.to_string(), running.shared.done.load(Ordering::Relaxed), state.phase.len))
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let Some(running) = &mut self.running else { return };
        lock(&running.shared.state).stop = true;
        running.shared.wake.notify_all();
        if let Some(thread) = running.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The drawing thread: nothing until `delay` has passed since `started`
/// and a phase has started (a bar without one says nothing, and it could be
/// the only frame of a short check), then the current phase every
/// [`REFRESH`], until told to stop.
fn draw(shared: &Shared, started: Instant, delay: Duration, target: ProgressDrawTarget) {
    let mut state = lock(&shared.state);
    loop {
        if state.stop {
            return;
        }
        state = match delay.checked_sub(started.elapsed()).filter(|left| !left.is_zero()) {
            Some(left) => shared.wake.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0,
            None if state.generation == 0 => shared.wake.wait(state).unwrap_or_else(PoisonError::into_inner),
            None => break,
        };
    }
    let bar = ProgressBar::with_draw_target(None, target).with_elapsed(started.elapsed());
    let mut seen = None;
    let mut len = None;
    while !state.stop {
        if seen != Some(state.generation) {
            seen = Some(state.generation);
            len = state.phase.len;
            // Setting a style draws nothing: each refresh draws one frame.
            bar.set_style(style(&state.phase));
        }
        drop(state);
        let done = shared.done.load(Ordering::Relaxed);
        bar.update(|bar| {
            if let Some(len) = len {
                bar.set_len(len);
            }
            bar.set_pos(done);
        });
        state = lock(&shared.state);
        if !state.stop {
            state = shared.wake.wait_timeout(state, REFRESH).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
    drop(state);
    bar.finish_and_clear();
}

/// How a phase is drawn: its message in the `{phase}` key, and a bar when
/// it counts.
fn style(phase: &Phase) -> ProgressStyle {
    let template = if phase.len.is_some() { COUNTING } else { WORKING };
    let message: Arc<str> = Arc::from(&*phase.message);
    ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> ").with_key(
        "phase",
        move |_: &ProgressState, out: &mut dyn fmt::Write| {
            let _ = out.write_str(&message);
        },
    )
}

/// The delay before the bar appears: [`DELAY`], or `SITELINT_PROGRESS_DELAY_MS`.
pub fn delay_from_env() -> Duration {
    std::env::var(DELAY_VAR).ok().and_then(|ms| ms.parse().ok()).map_or(DELAY, Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use std::io;

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps its screen, so a test can see what is left on
    /// it, and counts the frames drawn.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<ScreenState>>);

    #[derive(Debug, Default)]
    struct ScreenState {
        lines: Vec<String>,
        row: usize,
        /// Writes with text in them: one per frame drawn.
        frames: usize,
    }

    impl Screen {
        fn with<R>(&self, f: impl FnOnce(&mut ScreenState) -> R) -> R {
            f(&mut self.0.lock().unwrap())
        }

        /// The visible text, trailing blank lines dropped.
        fn text(&self) -> String {
            self.with(|s| s.lines.join("\n").trim_end().to_string())
        }

        fn frames(&self) -> usize {
            self.with(|s| s.frames)
        }

        /// Waits (up to 10 s) for the screen to show `text`.
        fn wait_for(&self, text: &str) -> bool {
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if self.text().contains(text) {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            false
        }
    }

    impl ScreenState {
        fn line(&mut self) -> &mut String {
            if self.lines.len() <= self.row {
                self.lines.resize(self.row + 1, String::new());
            }
            &mut self.lines[self.row]
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, n: usize) -> io::Result<()> {
            self.with(|s| s.row = s.row.saturating_sub(n));
            Ok(())
        }
        fn move_cursor_down(&self, n: usize) -> io::Result<()> {
            self.with(|s| s.row += n);
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, text: &str) -> io::Result<()> {
            self.write_str(text)?;
            self.with(|s| s.row += 1);
            Ok(())
        }
        fn write_str(&self, text: &str) -> io::Result<()> {
            self.with(|s| {
                s.frames += usize::from(!text.trim().is_empty());
                s.line().push_str(text);
            });
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            self.with(|s| s.line().clear());
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn on_screen(delay: Duration) -> (Progress, Screen) {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(screen.clone()), REFRESH_HZ);
        (Progress::start(delay, target), screen)
    }

    #[test]
    fn shows_the_phase_and_the_count_then_leaves_a_clean_screen() {
        let (progress, screen) = on_screen(Duration::ZERO);
        progress.phase("building the model", None);
        assert!(screen.wait_for("building the model"), "{:?}", screen.text());
        progress.phase("running 3 rules", Some(40));
        progress.counter().unwrap().fetch_add(25, Ordering::Relaxed);
        assert!(screen.wait_for("running 3 rules"), "{:?}", screen.text());
        assert!(screen.wait_for("25/40"), "{:?}", screen.text());
        // A new phase starts its count from zero.
        progress.phase("rendering 2 findings", None);
        assert_eq!(progress.counter().unwrap().load(Ordering::Relaxed), 0);
        assert!(screen.wait_for("rendering 2 findings"), "{:?}", screen.text());
        progress.finish();
        assert_eq!(screen.text(), "", "the bar is cleared");
    }

    /// The first frame shows a phase, however soon the bar may appear: a
    /// check that ends within a refresh draws only that one.
    #[test]
    fn draws_nothing_before_the_first_phase() {
        let (progress, screen) = on_screen(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(screen.frames(), 0, "{:?}", screen.text());
        progress.phase("loading the rules", None);
        assert!(screen.wait_for("loading the rules"), "{:?}", screen.text());
        progress.finish();
        assert_eq!(screen.text(), "", "the bar is cleared");
    }

    #[test]
    fn a_check_shorter_than_the_delay_draws_nothing_and_does_not_wait_for_it() {
        let (progress, screen) = on_screen(Duration::from_secs(30));
        progress.phase("reading the snapshot", None);
        std::thread::sleep(Duration::from_millis(150));
        let start = Instant::now();
        progress.finish();
        assert!(start.elapsed() < Duration::from_secs(5), "finish took {:?}", start.elapsed());
        assert_eq!(screen.frames(), 0);
    }

    #[test]
    fn draws_at_most_ten_times_a_second() {
        let (progress, screen) = on_screen(Duration::ZERO);
        progress.phase("running 1 rule", Some(1_000_000));
        let counter = progress.counter().unwrap();
        let start = Instant::now();
        // Work that updates the count as fast as it can.
        while start.elapsed() < Duration::from_millis(600) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let elapsed = start.elapsed();
        progress.finish();
        // One frame on appearing, then one per refresh at most.
        let most = 2 + usize::try_from(elapsed.as_millis() / 100).unwrap();
        assert!(screen.frames() <= most, "{} frames in {elapsed:?}", screen.frames());
        assert!(screen.frames() >= 2, "the bar moves: {} frames in {elapsed:?}", screen.frames());
    }

    #[test]
    fn hidden_progress_counts_nothing() {
        let progress = Progress::hidden();
        progress.phase("reading the snapshot", Some(3));
        assert!(progress.counter().is_none());
    }

    #[test]
    fn the_templates_are_valid() {
        assert!(ProgressStyle::with_template(COUNTING).is_ok());
        assert!(ProgressStyle::with_template(WORKING).is_ok());
    }
}

//! What a run costs the machine: CPU time, resident memory, and the open-file limit.
//!
//! CPU time of this process is `CLOCK_PROCESS_CPUTIME_ID`: user plus system time of all its
//! threads, in nanoseconds, the same sum `getrusage(RUSAGE_SELF)` reports (read through rustix
//! because the workspace forbids `unsafe`). Another process's CPU time and every memory figure
//! come from `/proc` (Linux); elsewhere they are `None` and the summary says `na`.

use std::time::Duration;

/// Clock ticks per second in `/proc/<pid>/stat` (`USER_HZ`, fixed at 100 in Linux's ABI).
const USER_HZ: u64 = 100;

/// CPU time (user + system, all threads) this process has used so far.
pub fn cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let time = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        Some(Duration::new(
            u64::try_from(time.tv_sec).ok()?,
            u32::try_from(time.tv_nsec).ok()?,
        ))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// CPU time used between two readings of [`cpu_time`].
pub fn cpu_between(before: Option<Duration>, after: Option<Duration>) -> Option<Duration> {
    Some(after?.saturating_sub(before?))
}

/// Memory of a process from `/proc/<pid>/status`, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident since start or the last [`reset_peak`] (`VmHWM`).
    pub peak_kib: u64,
}

/// The memory of this process.
pub fn own_memory() -> Option<Memory> {
    memory_of_path("/proc/self/status")
}

/// The memory of process `pid`.
pub fn memory(pid: u32) -> Option<Memory> {
    memory_of_path(&format!("/proc/{pid}/status"))
}

/// Starts this process's peak-resident figure again from its current size (Linux ≥ 4.0), so a
/// workload's peak does not include what an earlier phase (an import, another workload) used.
/// Where that is not possible the peak stays the process's lifetime peak.
pub fn reset_peak() {
    // "5" resets VmHWM to VmRSS (Documentation/filesystems/proc.rst, clear_refs).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// [`reset_peak`] for process `pid` (allowed for processes of the same user).
pub fn reset_peak_of(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// CPU time (user + system) process `pid` has used so far, with clock-tick resolution.
pub fn cpu_time_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = parse_stat_cpu_ticks(&stat)?;
    Some(Duration::from_millis(ticks * 1000 / USER_HZ))
}

/// Raises this process's soft open-file limit to at least `needed` (children inherit it), up to
/// the hard limit. Returns the limit now in force; an error when the hard limit is too low.
pub fn raise_open_files(needed: u64) -> anyhow::Result<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        let current = limit.current.unwrap_or(u64::MAX);
        if current >= needed {
            return Ok(current);
        }
        let maximum = limit.maximum.unwrap_or(u64::MAX);
        anyhow::ensure!(
            maximum >= needed,
            "this run needs {needed} open files but the hard limit is {maximum}; raise it (ulimit -Hn) or open fewer connections"
        );
        setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: Some(needed),
                maximum: limit.maximum,
            },
        )
        .map_err(|error| anyhow::anyhow!("raising the open-file limit to {needed}: {error}"))?;
        Ok(needed)
    }
    #[cfg(not(unix))]
    {
        Ok(needed)
    }
}

fn memory_of_path(path: &str) -> Option<Memory> {
    let status = std::fs::read_to_string(path).ok()?;
    Some(Memory {
        rss_kib: status_kib(&status, "VmRSS:")?,
        peak_kib: status_kib(&status, "VmHWM:")?,
    })
}

/// The value of a `Key:   1234 kB` line of `/proc/<pid>/status`.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// utime + stime (fields 14 and 15) of `/proc/<pid>/stat`. The command name (field 2) is in
/// parentheses and may itself contain spaces and parentheses, so fields are counted after the
/// last `)`.
fn parse_stat_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace();
    // After the name come state (field 3) ... cutime; utime is field 14, the 12th here.
    let user: u64 = fields.nth(11)?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_values_are_read_in_kib() {
        let status = "Name:\tloket\nVmPeak:\t  900000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(20_480));
        assert_eq!(status_kib(status, "VmRSS:"), Some(10_240));
        assert_eq!(status_kib(status, "VmSwap:"), None);
    }

    #[test]
    fn stat_cpu_ticks_survive_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 30 0 0 20 0 8 0 100 0 0";
        assert_eq!(parse_stat_cpu_ticks(stat), Some(280));
    }

    #[test]
    fn a_truncated_stat_line_gives_nothing() {
        assert_eq!(parse_stat_cpu_ticks("4242 (loket) S 1 2"), None);
        assert_eq!(parse_stat_cpu_ticks("no parenthesis"), None);
    }

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let memory = own_memory().expect("/proc/self/status");
        assert!(memory.peak_kib >= memory.rss_kib);
        assert!(cpu_time().is_some());
        assert!(cpu_time_of(std::process::id()).is_some());
    }

    #[test]
    fn the_open_file_limit_already_in_force_is_kept() {
        let limit = raise_open_files(16).expect("a limit of 16 files");
        assert!(limit >= 16);
    }
}

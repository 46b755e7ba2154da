//! Reading the next parts of a folder while this one is scored: the reading
//! (parsing, checking, building rows or a graph) and the scoring of a part
//! each keep about one core busy, so on a machine of two or more cores the
//! parts are read on other threads, in turn, while the calling thread scores
//! them in order.

use std::sync::mpsc::{Receiver, sync_channel};

/// Makes the items `0..count` with `make` on `threads` threads (item `k` on
/// thread `k % threads`, each thread making its items in order) and hands
/// each to `consume` on the calling thread, in order of `k`, as soon as it
/// and those before it are made.
///
/// Each thread makes its next item only once the one before has been taken,
/// so at most `threads + 1` items exist at once (one being consumed, one made
/// or being made by each thread): memory grows with `threads`, never with
/// `count`.
///
/// The first error, of `make` or `consume`, in order of `k`, is given back;
/// the threads then stop after the item each is making. An item that failed
/// is the last its thread makes.
pub fn in_order<T: Send>(
    count: usize,
    threads: usize,
    make: impl Fn(usize) -> anyhow::Result<T> + Sync,
    mut consume: impl FnMut(usize, T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let threads = threads.clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let make = &make;
        let made: Vec<Receiver<anyhow::Result<T>>> = (0..threads)
            .map(|first| {
                // A rendezvous: `send` returns once the item is taken.
                let (tx, rx) = sync_channel(0);
                scope.spawn(move || {
                    for k in (first..count).step_by(threads) {
                        let item = make(k);
                        let failed = item.is_err();
                        // The receiver is gone once the caller has stopped.
                        if tx.send(item).is_err() || failed {
                            break;
                        }
                    }
                });
                rx
            })
            .collect();
        for k in 0..count {
            let item = made
                .get(k % threads)
                .and_then(|rx| rx.recv().ok())
                .ok_or_else(|| anyhow::anyhow!("the thread making item {k} stopped"))??;
            consume(k, item)?;
        }
        Ok(())
        // `made` is dropped here, before the threads are joined: a thread
        // waiting to hand over an item stops.
    })
}

/// How many threads read parts ahead beside the calling thread: one fewer
/// than the cores, at least one (reading overlaps scoring even on one core,
/// where either waits on the disk).
pub fn reading_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn items_come_in_order_from_any_number_of_threads() -> anyhow::Result<()> {
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            in_order(
                10,
                threads,
                |k| {
                    // Later items are quicker to make: order is not arrival.
                    std::thread::sleep(std::time::Duration::from_millis(10 - k as u64));
                    Ok(k * k)
                },
                |k, item| {
                    seen.push((k, item));
                    Ok(())
                },
            )?;
            let expected: Vec<_> = (0..10).map(|k| (k, k * k)).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
        Ok(())
    }

    #[test]
    fn no_items_make_no_call() -> anyhow::Result<()> {
        let calls = AtomicUsize::new(0);
        in_order(
            0,
            2,
            |_| Ok(calls.fetch_add(1, Ordering::SeqCst)),
            |_, _| {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
        )?;
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        Ok(())
    }

    #[test]
    fn the_first_error_in_order_stops_everything() {
        let made = AtomicUsize::new(0);
        let mut consumed = Vec::new();
        let result = in_order(
            100,
            2,
            |k| {
                made.fetch_add(1, Ordering::SeqCst);
                if k == 3 {
                    anyhow::bail!("part {k} is bad")
                }
                Ok(k)
            },
            |k, _| {
                consumed.push(k);
                Ok(())
            },
        );
        assert_eq!(
            result.err().map(|e| e.to_string()).as_deref(),
            Some("part 3 is bad")
        );
        assert_eq!(consumed, [0, 1, 2]);
        // Each thread makes at most one item past the last one taken.
        assert!(made.load(Ordering::SeqCst) <= 6, "{made:?}");
    }

    #[test]
    fn an_error_of_the_consumer_stops_the_makers() {
        let made = AtomicUsize::new(0);
        let result = in_order(
            100,
            3,
            |k| {
                made.fetch_add(1, Ordering::SeqCst);
                Ok(k)
            },
            |k, _| {
                if k == 5 {
                    anyhow::bail!("cannot write {k}")
                }
                Ok(())
            },
        );
        assert_eq!(
            result.err().map(|e| e.to_string()).as_deref(),
            Some("cannot write 5")
        );
        assert!(made.load(Ordering::SeqCst) <= 6 + 3, "{made:?}");
    }

    #[test]
    fn at_most_one_item_a_thread_waits_beside_the_one_consumed() -> anyhow::Result<()> {
        let alive = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        struct Item<'a>(&'a AtomicUsize);
        impl Drop for Item<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        in_order(
            50,
            2,
            |_| {
                let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                Ok(Item(&alive))
            },
            |_, item| {
                std::thread::sleep(std::time::Duration::from_millis(1));
                drop(item);
                Ok(())
            },
        )?;
        assert!(most.load(Ordering::SeqCst) <= 3, "{most:?}");
        assert_eq!(alive.load(Ordering::SeqCst), 0);
        Ok(())
    }
}

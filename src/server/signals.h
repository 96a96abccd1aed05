#pragma once
// Shutdown signals, handled synchronously: SIGINT and SIGTERM are blocked in every thread and
// one thread (main) collects them with sigwait(). No async-signal handler runs, so shutdown code
// may lock, log and join like any other code.

namespace quiver::server {

// Blocks SIGINT and SIGTERM in the calling thread. Call from main() before any thread starts
// (threads inherit the mask), so that no other thread is ever chosen to receive them.
void BlockShutdownSignals();

// Waits until SIGINT or SIGTERM arrives and returns its number. Signals that arrived before the
// call are pending and return at once. REQUIRES: BlockShutdownSignals() ran before any thread
// was started; otherwise another thread may receive the signal and the process dies of it.
int WaitForShutdownSignal();

}  // namespace quiver::server

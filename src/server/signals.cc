#include "server/signals.h"

#include <pthread.h>
#include <signal.h>

namespace quiver::server {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // fails only for an invalid `how`
}

int WaitForShutdownSignal() {
  sigset_t set = ShutdownSignals();
  // Blocking again here is harmless and makes sigwait() well defined in this thread even if the
  // caller forgot; the REQUIRES on other threads still stands.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
    // sigwait() reports errors as return values; EINTR is the only one possible with a valid set.
  }
  return signal_number;
}

}  // namespace quiver::server

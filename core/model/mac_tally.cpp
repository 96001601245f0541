#include "core/model/mac_tally.h"

namespace rflab::core {

namespace {
thread_local MacTally* active_tally = nullptr;
}

MacTally::MacTally() : outer_(active_tally) { active_tally = this; }
MacTally::~MacTally() { active_tally = outer_; }

void MacTally::add(int64_t macs) {
  if (active_tally) active_tally->macs_ += macs;
}

}  // namespace rflab::core

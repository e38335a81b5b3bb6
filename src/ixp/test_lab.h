// The small lab exchange the config writers' tests share (bird2_test.cc,
// openbgpd_test.cc): its IRR data, the route server's options, members
// parsed from a test's own YAML, the real RIPE sample for the real-exchange
// tests, and running a daemon's syntax check on a generated config.
// Test-only; no shared state.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/test_util.h"
#include "irr/irr_index.h"
#include "ixp/members.h"
#include "ixp/policy.h"

namespace vigia::ixp::test_lab {

// AS-ONE holds AS1001 and AS1010; AS1002 has no route object.
inline constexpr char kIrr[] = R"(as-set: AS-ONE
members: AS1001, AS1010
source: LAB

route: 185.1.0.0/24
origin: AS1001
source: LAB

route6: 2a0a:1::/32
origin: AS1010
source: LAB

route: 185.1.1.0/24
origin: AS1010
source: LAB
)";

// The lab's IRR (kIrr) and its members, from a test's own YAML
// (arouteserver clients format).
struct Lab {
  irr::IrrDatabase db;
  MemberList members;
  explicit Lab(std::string_view members_yaml) {
    EXPECT_TRUE(db.LoadText(kIrr, "lab.db").ok());
    db.Build();
    ProblemLog problems;
    auto list = ParseMembers(members_yaml, "lab.yml", &problems);
    EXPECT_TRUE(list.ok());
    members = std::move(*list);
  }
};

// The route server: AS999 at 10.9.0.1 and 2001:7f8::1.
inline PolicyOptions Options() {
  PolicyOptions o;
  o.rs_asn = 999;
  o.rs_address4 = IpAddress::Parse("10.9.0.1");
  o.rs_address6 = IpAddress::Parse("2001:7f8::1");
  return o;
}

// The RIPE route and route6 sample of ../shared/data, built into db; the
// caller has checked HaveSharedData("irr/ripe-db-sample").
inline void LoadRipeSample(irr::IrrDatabase* db) {
  const std::string dir = test_util::SharedData() + "/irr/ripe-db-sample/";
  ASSERT_TRUE(db->LoadFile(dir + "ripe-db-route.txt").ok());
  ASSERT_TRUE(db->LoadFile(dir + "ripe-db-route6.txt").ok());
  db->Build();
}

// Writes text to a temporary file and runs `command <file> 2>&1` on it
// ("bird -p -c", "bgpd -n -f"): the exit status, and its output in message.
inline int CheckConfig(const std::string& command, const std::string& text, std::string* message) {
  const std::string daemon = command.substr(0, command.find(' '));
  const std::filesystem::path f = test_util::TestTempPath("vigia_" + daemon + "_") += ".conf";
  std::ofstream(f) << text;
  int status = 0;
  *message = test_util::RunCommand(command + " " + f.string() + " 2>&1", &status);
  std::filesystem::remove(f);
  return test_util::Exit(status);
}

}  // namespace vigia::ixp::test_lab

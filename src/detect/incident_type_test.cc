// The incident-type registry: its rows are consistent, and every part of
// the system that shows a type (the web app's dictionaries) has its strings.
#include "detect/incident_type.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

namespace vigia::detect {
namespace {

TEST(IncidentType, BuiltInNamesAreRegistered) {
  for (std::string_view n : {kHijack, kSubprefixHijack, kRouteLeak, kBogonPrefix, kBogonAsn,
                             kRpkiInvalid, kIrrUnregistered}) {
    const IncidentType* t = FindIncidentType(n);
    ASSERT_NE(t, nullptr) << n;
    EXPECT_EQ(t->name, n);
  }
  EXPECT_EQ(FindIncidentType("hijacks"), nullptr);
  EXPECT_EQ(FindIncidentType(""), nullptr);
  EXPECT_EQ(IncidentTypeNames(),
            "hijack, subprefix_hijack, route_leak, bogon_prefix, bogon_asn, rpki_invalid, "
            "irr_unregistered");
  EXPECT_EQ(IncidentTypeNameList().size(), IncidentTypes().size());
}

// score/manrs.cc counts a customer's incident one metric after the
// culprit's: M1 -> M1C.
TEST(IncidentType, MetricsArePairedWithTheirCustomerMetric) {
  const std::set<std::string_view> action1 = {"M1", "M2", "M3", "M4"};
  for (const IncidentType& t : IncidentTypes()) {
    if (t.metric.empty()) {
      EXPECT_TRUE(t.customer_metric.empty()) << t.name;
      continue;
    }
    EXPECT_TRUE(action1.contains(t.metric)) << t.name << ": " << t.metric;
    EXPECT_EQ(t.customer_metric, std::string(t.metric) + "C") << t.name;
    EXPECT_FALSE(t.customer_fix.empty()) << t.name;
  }
}

// Types that share a metric share its fix: the score's fix list has one
// fix per metric.
TEST(IncidentType, TypesOfOneMetricShareTheirFix) {
  for (const IncidentType& a : IncidentTypes()) {
    for (const IncidentType& b : IncidentTypes()) {
      if (a.metric.empty() || a.metric != b.metric) continue;
      EXPECT_EQ(a.fix, b.fix) << a.name << " " << b.name;
      EXPECT_EQ(a.customer_fix, b.customer_fix) << a.name << " " << b.name;
    }
  }
}

TEST(IncidentType, WhatQuestionsTheOrigin) {
  EXPECT_TRUE(QuestionsOrigin(kHijack));
  EXPECT_TRUE(QuestionsOrigin(kSubprefixHijack));
  EXPECT_TRUE(QuestionsOrigin(kBogonPrefix));
  EXPECT_TRUE(QuestionsOrigin(kRpkiInvalid));
  EXPECT_FALSE(QuestionsOrigin(kRouteLeak));
  EXPECT_FALSE(QuestionsOrigin(kBogonAsn));
  EXPECT_FALSE(QuestionsOrigin(kIrrUnregistered));
  EXPECT_FALSE(QuestionsOrigin("no_such_type"));
}

TEST(IncidentType, RegistrationRejectsTakenAndMalformedNames) {
  const size_t before = IncidentTypes().size();
  IncidentType t;
  t.name = kHijack;
  EXPECT_FALSE(RegisterIncidentType(t));
  for (std::string_view bad : {"", "Hijack", "route leak", "x-y", "évasion"}) {
    t.name = bad;
    EXPECT_FALSE(RegisterIncidentType(t)) << bad;
  }
  EXPECT_EQ(IncidentTypes().size(), before);
}

nlohmann::json Locale(const std::string& lang) {
  const std::filesystem::path p =
      std::filesystem::path(VIGIA_SOURCE_DIR) / "web/src/locales" / (lang + ".json");
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str(), nullptr, false);
}

// The web app shows a type by its display key and a fix by fix.<code>
// (web/src/format.ts): each must be in every dictionary, and the English
// fix text must be the one the score's fix list carries, which the web app
// maps back to its key.
TEST(IncidentType, EveryTypeHasItsLocaleStrings) {
  for (const std::string lang : {"en", "es", "pt"}) {
    const nlohmann::json dict = Locale(lang);
    ASSERT_TRUE(dict.is_object()) << "web/src/locales/" << lang << ".json";
    for (const IncidentType& t : IncidentTypes()) {
      EXPECT_EQ(t.display_key, "itype." + std::string(t.name)) << t.name;
      EXPECT_TRUE(dict.contains(std::string(t.display_key))) << lang << ": " << t.display_key;
      for (const auto& [code, text] :
           {std::pair{t.fix, t.fix_text}, std::pair{t.customer_fix, t.customer_fix_text}}) {
        if (code.empty()) {
          EXPECT_TRUE(text.empty()) << t.name;
          continue;
        }
        const std::string key = "fix." + std::string(code);
        ASSERT_TRUE(dict.contains(key)) << lang << ": " << key;
        if (lang == "en") {
          EXPECT_EQ(dict[key].get<std::string>(), text) << key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace vigia::detect

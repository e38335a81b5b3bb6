// vigia token {create|list|revoke}: the bearer tokens of the write API
// (store/tokens.h, docs/contests.md). A token is printed once, on stdout,
// when it is made; the store keeps only its SHA-256. Every change is
// written to the audit log as done by "cli" (the local administrator).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/asn.h"
#include "core/printable.h"
#include "store/backends.h"
#include "store/store.h"
#include "store/tokens.h"

namespace vigia::cli {

namespace {

struct TokenArgs {
  std::string db = "sqlite:vigia.db";
  std::string name, role;
  std::vector<std::string> asns;
  int64_t id = 0;
};

int Fail(const char* verb, const std::string& m) {
  std::fprintf(stderr, "vigia: token %s: %s\n", verb, PrintableHead(m, 4096).c_str());
  return kExitFailed;
}

// Appends to the audit log; a failure to do so fails the command.
int Audit(store::Store& st, const char* verb, const std::string& action, const std::string& target,
          const std::string& outcome) {
  auto a = st.AddAudit({0, "", 0, "cli", action, target, "", outcome});
  if (!a.ok()) return Fail(verb, a.status().message());
  return kExitOk;
}

std::string AsnList(const std::vector<Asn>& asns) {
  std::string out;
  for (Asn a : asns) out += (out.empty() ? "AS" : " AS") + std::to_string(a);
  return out;
}

int RunCreate(const TokenArgs& a) {
  store::TokenRow t;
  t.name = a.name;
  t.role = a.role;
  if (t.name.empty() || t.name.size() > 100) return Fail("create", "--name: 1 to 100 bytes");
  for (unsigned char c : t.name) {
    if (c < 0x20 || c == 0x7f) return Fail("create", "--name holds a control character");
  }
  for (const std::string& s : a.asns) {
    auto asn = ParseAsn(s);
    if (!asn) return Fail("create", "--asn " + s + ": not an AS number");
    t.asns.push_back(*asn);
  }
  if (t.role == "operator" && t.asns.empty())
    return Fail("create", "an operator token needs at least one --asn: the ASNs it speaks for");
  if (t.role == "reviewer" && !t.asns.empty())
    return Fail("create", "a reviewer token takes no --asn: it reviews contests of any AS");
  auto token = store::NewToken();
  if (!token.ok()) return Fail("create", token.status().message());
  t.hash = store::TokenHash(*token);
  auto st = store::Store::Open(a.db);
  if (!st.ok()) return Fail("create", st.status().message());
  auto made = (*st)->AddToken(t);
  if (!made.ok()) {
    static_cast<void>(Audit(**st, "create", "token.create", "token '" + t.name + "'",
                            "failed: " + made.status().message()));
    return Fail("create", made.status().message());
  }
  if (int rc = Audit(**st, "create", "token.create",
                     fmt::format("token {} ({})", made->id, made->name), "ok");
      rc != kExitOk)
    return rc;
  std::fprintf(stderr,
               "vigia: token %lld '%s' (%s%s%s) created. It is printed below and never again; "
               "the store keeps only its SHA-256.\n",
               static_cast<long long>(made->id), Printable(made->name).c_str(), made->role.c_str(),
               made->asns.empty() ? "" : ", ", AsnList(made->asns).c_str());
  std::printf("%s\n", token->c_str());
  return kExitOk;
}

int RunList(const TokenArgs& a) {
  auto st = store::Store::Open(a.db);
  if (!st.ok()) return Fail("list", st.status().message());
  auto tokens = (*st)->Tokens();
  if (!tokens.ok()) return Fail("list", tokens.status().message());
  std::printf("%-4s %-24s %-9s %-20s %-20s %s\n", "id", "name", "role", "created", "revoked",
              "asns");
  for (const store::TokenRow& t : *tokens) {
    std::printf("%-4lld %-24s %-9s %-20s %-20s %s\n", static_cast<long long>(t.id),
                Printable(t.name).c_str(), t.role.c_str(), t.created.c_str(),
                t.revoked.empty() ? "-" : t.revoked.c_str(), AsnList(t.asns).c_str());
  }
  return kExitOk;
}

int RunRevoke(const TokenArgs& a) {
  auto st = store::Store::Open(a.db);
  if (!st.ok()) return Fail("revoke", st.status().message());
  const Status s = (*st)->RevokeToken(a.id);
  const std::string target = fmt::format("token {}", a.id);
  if (int rc =
          Audit(**st, "revoke", "token.revoke", target, s.ok() ? "ok" : "failed: " + s.message());
      rc != kExitOk)
    return rc;
  if (!s.ok()) return Fail("revoke", s.message());
  std::fprintf(stderr, "vigia: token %lld revoked\n", static_cast<long long>(a.id));
  return kExitOk;
}

}  // namespace

void RegisterToken(CLI::App& app, int* exit_code) {
  CLI::App* cmd =
      app.add_subcommand("token", "Create, list and revoke the write API's bearer tokens");
  cmd->require_subcommand(1);
  cmd->footer(
      "Operators contest incidents of their own ASNs; reviewers accept or reject contests and "
      "read the audit log (docs/contests.md). Exit status 2 on any error.");
  const std::string db_help = "Store URL: " + store::BackendUsage() + ", or a path (SQLite)";

  auto c = std::make_shared<TokenArgs>();
  CLI::App* create = cmd->add_subcommand(
      "create", "Make a token; prints it once on stdout (the store keeps only its SHA-256)");
  create->add_option("--db", c->db, db_help)->capture_default_str();
  create->add_option("--name", c->name, "Unique name; the author of this token's contests")
      ->required();
  create->add_option("--role", c->role, "operator or reviewer")
      ->required()
      ->check(CLI::IsMember({"operator", "reviewer"}));
  create->add_option("--asn", c->asns, "An ASN the operator speaks for (repeat for more)");
  create->callback([c, exit_code] { *exit_code = RunCreate(*c); });

  auto l = std::make_shared<TokenArgs>();
  CLI::App* list = cmd->add_subcommand("list", "List the tokens (never the tokens themselves)");
  list->add_option("--db", l->db, db_help)->capture_default_str();
  list->callback([l, exit_code] { *exit_code = RunList(*l); });

  auto r = std::make_shared<TokenArgs>();
  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a token for good");
  revoke->add_option("ID", r->id, "The token's id (vigia token list)")->required();
  revoke->add_option("--db", r->db, db_help)->capture_default_str();
  revoke->callback([r, exit_code] { *exit_code = RunRevoke(*r); });
}

}  // namespace vigia::cli

#include "rpki/rpki_client_json.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace vigia::rpki {

namespace {

void AppendJsonString(std::string* o, std::string_view s) {
  o->push_back('"');
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      o->push_back('\\');
      o->push_back(c);
    } else if (u < 0x20) {
      fmt::format_to(std::back_inserter(*o), "\\u{:04x}", u);
    } else {
      o->push_back(c);
    }
  }
  o->push_back('"');
}

void AppendBase64(std::string* o, std::span<const uint8_t> in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) o->push_back(kAlphabet[(v >> s) & 63]);
  }
  if (const size_t rest = in.size() - i; rest > 0) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (rest == 2 ? uint32_t{in[i + 1]} << 8 : 0);
    o->push_back(kAlphabet[(v >> 18) & 63]);
    o->push_back(kAlphabet[(v >> 12) & 63]);
    o->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    o->push_back('=');
  }
}

struct Input {
  std::span<const Vrp> vrps;
  const std::vector<std::string>* tas = nullptr;  // index = Vrp::ta; nullptr: all "rtr"
  std::vector<Aspa> aspas;
  std::span<const rtr::RouterKey> keys;
};

void AppendAspaList(std::string* o, const std::vector<Aspa>& aspas, const char* indent) {
  bool first = true;
  for (const Aspa& a : aspas) {
    fmt::format_to(std::back_inserter(*o), "{}\n{}{{ \"customer_asid\": {}, \"providers\": [",
                   first ? "" : ",", indent, a.customer);
    for (size_t i = 0; i < a.providers.size(); ++i) {
      fmt::format_to(std::back_inserter(*o), "{}{}", i ? ", " : "", a.providers[i]);
    }
    o->append("] }");
    first = false;
  }
}

std::string Format(const Input& in, const RpkiClientJsonMetadata& meta) {
  std::string o;
  o.reserve(128 + in.vrps.size() * 72 + in.aspas.size() * 64);
  auto out = std::back_inserter(o);
  char when[32] = "1970-01-01T00:00:00Z";
  std::tm tm{};
  if (gmtime_r(&meta.build_time, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fmt::format_to(out, "{{\n\t\"metadata\": {{\n\t\t\"buildmachine\": \"vigia\",\n");
  fmt::format_to(out, "\t\t\"buildtime\": \"{}\",\n\t\t\"generated\": {},\n", when,
                 static_cast<int64_t>(meta.build_time));
  fmt::format_to(out, "\t\t\"vrps\": {},\n\t\t\"uniquevrps\": {},\n", in.vrps.size(),
                 in.vrps.size());
  // rpki-client counts ASPA objects as "aspas" and the payloads they yield
  // as "vaps"; RTR delivers payloads only.
  fmt::format_to(out, "\t\t\"vaps\": {},\n\t\t\"uniquevaps\": {},\n", in.aspas.size(),
                 in.aspas.size());
  fmt::format_to(out, "\t\t\"bgpsec_pubkeys\": {}", in.keys.size());
  if (!meta.source.empty()) {
    o.append(",\n\t\t\"source\": ");
    AppendJsonString(&o, meta.source);
  }
  if (meta.rtr_session_id)
    fmt::format_to(out, ",\n\t\t\"rtr_session_id\": {}", *meta.rtr_session_id);
  if (meta.rtr_serial) fmt::format_to(out, ",\n\t\t\"rtr_serial\": {}", *meta.rtr_serial);
  if (meta.rtr_version) fmt::format_to(out, ",\n\t\t\"rtr_version\": {}", *meta.rtr_version);
  o.append("\n\t},\n\n\t\"roas\": [");

  char prefix[64];
  bool first = true;
  for (const Vrp& v : in.vrps) {
    char* end = v.prefix.Format(prefix);
    fmt::format_to(out, "{}\n\t\t{{ \"asn\": {}, \"prefix\": \"{}\", \"maxLength\": {}, \"ta\": ",
                   first ? "" : ",", v.asn, std::string_view(prefix, end - prefix), v.max_length);
    std::string_view ta = "rtr";
    if (in.tas && v.ta < in.tas->size() && !(*in.tas)[v.ta].empty()) ta = (*in.tas)[v.ta];
    AppendJsonString(&o, ta);
    o.append(" }");
    first = false;
  }
  o.append("\n\t],\n\n\t\"bgpsec_keys\": [");
  first = true;
  for (const rtr::RouterKey& k : in.keys) {
    fmt::format_to(out, "{}\n\t\t{{ \"asn\": {}, \"ski\": \"", first ? "" : ",", k.asn);
    for (uint8_t b : k.ski) fmt::format_to(out, "{:02x}", b);
    o.append("\", \"pubkey\": \"");
    AppendBase64(&o, k.spki);
    o.append("\", \"ta\": \"rtr\" }");
    first = false;
  }
  o.append("\n\t],\n\n\t\"aspas\": [");
  AppendAspaList(&o, in.aspas, "\t\t");
  o.append("\n\t]");
  if (meta.legacy_aspa) {
    // The pre-8.x form: one list per address family. The merged provider
    // set is written under both.
    o.append(",\n\n\t\"provider_authorizations\": {\n\t\t\"ipv4\": [");
    AppendAspaList(&o, in.aspas, "\t\t\t");
    o.append("\n\t\t],\n\t\t\"ipv6\": [");
    AppendAspaList(&o, in.aspas, "\t\t\t");
    o.append("\n\t\t]\n\t}");
  }
  o.append("\n}\n");
  return o;
}

}  // namespace

std::string FormatRpkiClientJson(const VrpSet& set, const RpkiClientJsonMetadata& meta,
                                 std::span<const rtr::RouterKey> router_keys) {
  Input in;
  in.vrps = set.vrps();
  in.tas = &set.trust_anchors();
  in.aspas = set.aspas().Sorted();
  in.keys = router_keys;
  return Format(in, meta);
}

std::string FormatRpkiClientJson(const rtr::RtrSnapshot& snapshot, const std::string& source,
                                 bool legacy_aspa) {
  Input in;
  in.vrps = snapshot.vrps;
  in.aspas = snapshot.MergedAspas().Sorted();
  in.keys = snapshot.router_keys;
  RpkiClientJsonMetadata meta;
  meta.build_time = std::chrono::system_clock::to_time_t(snapshot.synced_at);
  meta.source = source;
  meta.rtr_session_id = snapshot.session_id;
  meta.rtr_serial = snapshot.serial;
  meta.rtr_version = snapshot.version;
  meta.legacy_aspa = legacy_aspa;
  return Format(in, meta);
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  // The temporary file sits in the same directory, so that rename() stays
  // on one file system and is atomic.
  const std::string tmp = fmt::format("{}.tmp.{}", path, getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(fmt::format("{}: {}", tmp, std::strerror(errno)));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return Status::IoError(fmt::format("writing {}: {}", tmp, why));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = fsync(fd) == 0;
  const int sync_errno = errno;
  const bool closed = close(fd) == 0;
  if (!synced || !closed) {
    const std::string why = std::strerror(synced ? errno : sync_errno);
    unlink(tmp.c_str());
    return Status::IoError(fmt::format("writing {}: {}", tmp, why));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(tmp.c_str());
    return Status::IoError(fmt::format("renaming {} to {}: {}", tmp, path, why));
  }
  return Status::Ok();
}

}  // namespace vigia::rpki

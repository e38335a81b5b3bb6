#include "bgp/message.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/test_builders.h"

namespace vigia::bgp {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// RFC 4271 §4.3: withdrawn length, withdrawn, attribute length, attributes,
// NLRI.
Bytes UpdateBody(const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  Bytes out;
  Put16(&out, static_cast<uint32_t>(withdrawn.size()));
  out.insert(out.end(), withdrawn.begin(), withdrawn.end());
  Put16(&out, static_cast<uint32_t>(attrs.size()));
  out.insert(out.end(), attrs.begin(), attrs.end());
  out.insert(out.end(), nlri.begin(), nlri.end());
  return out;
}

// RFC 4271 §4.1: 16 marker octets of ones, length, type, then the body.
Bytes Message(uint8_t type, const Bytes& body) {
  Bytes out(16, 0xFF);
  Put16(&out, static_cast<uint32_t>(kHeaderSize + body.size()));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes BasicAttrs() {
  return Cat({Attr(kFlagTransitive, kAttrOrigin, {0}),
              Attr(kFlagTransitive, kAttrAsPath,
                   Bytes{kAsSequence, 2, 0, 0, 0xFB, 0xF4, 0, 0, 0x34, 0x17}),
              Attr(kFlagTransitive, kAttrNextHop, IpBytes("192.0.2.1"))});
}

// Decodes from an allocation of exactly the input's size (ASan sees any
// overread); the copy lives as long as the spans that point into it.
struct Decoded {
  enum Mode { kWhole, kUpdateBody };
  explicit Decoded(const Bytes& b, const AttrContext& ctx = Ctx(), Mode mode = kWhole)
      : buf(std::make_unique<uint8_t[]>(b.size())) {
    std::copy(b.begin(), b.end(), buf.get());
    std::span<const uint8_t> data(buf.get(), b.size());
    status = mode == kWhole ? msg.Decode(data, ctx) : msg.DecodeUpdateBody(data, ctx);
  }
  std::unique_ptr<uint8_t[]> buf;
  BgpMessage msg;
  Status status;
};

TEST(BgpMessage, DecodesUpdateWithWithdrawnAttributesAndNlri) {
  Bytes body = UpdateBody(Cat({Nlri("10.0.0.0/8"), Nlri("172.16.0.0/12")}), BasicAttrs(),
                          Cat({Nlri("192.0.2.0/24"), Nlri("198.51.100.0/25")}));
  Decoded d(Message(kMsgUpdate, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.type, kMsgUpdate);
  EXPECT_EQ(d.msg.length, kHeaderSize + body.size());
  EXPECT_EQ(d.msg.body.size(), body.size());
  EXPECT_EQ(d.msg.body.data(), d.buf.get() + kHeaderSize);
  EXPECT_EQ(Texts(d.msg.update.withdrawn), (Strings{"10.0.0.0/8", "172.16.0.0/12"}));
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24", "198.51.100.0/25"}));
  EXPECT_EQ(d.msg.update.attrs.as_path.ToString(), "64500 13335");
  EXPECT_EQ(d.msg.update.attrs.next_hop.ToString(), "192.0.2.1");
  EXPECT_TRUE(d.msg.update.attrs.Has(kAttrOrigin));
  EXPECT_EQ(d.msg.warning, "");
  EXPECT_FALSE(d.msg.add_path_detected);
}

TEST(BgpMessage, DecodesTwoOctetUpdate) {
  Bytes attrs =
      Cat({Attr(kFlagTransitive, kAttrOrigin, {1}),
           Attr(kFlagTransitive, kAttrAsPath, Bytes{kAsSequence, 2, 0xFB, 0xF4, 0x5B, 0xA0})});
  Decoded d(Message(kMsgUpdate, UpdateBody({}, attrs, Nlri("192.0.2.0/24"))), Ctx(2));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.update.attrs.as_path.ToString(), "64500 23456");
  EXPECT_EQ(d.msg.update.attrs.origin, 1);
}

// RFC 4724 §2: an UPDATE with nothing in it is the IPv4 End-of-RIB marker.
TEST(BgpMessage, DecodesEmptyUpdate) {
  Decoded d(Message(kMsgUpdate, UpdateBody({}, {}, {})));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.length, 23);
  EXPECT_TRUE(d.msg.update.withdrawn.empty());
  EXPECT_TRUE(d.msg.update.nlri.empty());
  EXPECT_EQ(d.msg.update.attrs.length, 0u);
}

TEST(BgpMessage, DecodesOpen) {
  Bytes params = {2, 6, 65, 4, 0, 0, 0xFB, 0xF4};  // capability: 4-octet AS 64500
  Bytes body = {4};
  Put16(&body, 23456);
  Put16(&body, 180);
  Bytes id = IpBytes("192.0.2.254");
  body.insert(body.end(), id.begin(), id.end());
  body.push_back(static_cast<uint8_t>(params.size()));
  body.insert(body.end(), params.begin(), params.end());
  Decoded d(Message(kMsgOpen, body));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.type, kMsgOpen);
  EXPECT_EQ(d.msg.open.version, 4);
  EXPECT_EQ(d.msg.open.my_as, 23456);
  EXPECT_EQ(d.msg.open.hold_time, 180);
  EXPECT_EQ(d.msg.open.bgp_id.ToString(), "192.0.2.254");
  EXPECT_EQ(Bytes(d.msg.open.optional_parameters.begin(), d.msg.open.optional_parameters.end()),
            params);
}

TEST(BgpMessage, TruncatedOpenIsCorruptAtEveryCut) {
  Bytes body = {4, 0xFB, 0xF4, 0, 90, 192, 0, 2, 1, 3, 1, 2, 3};
  for (size_t cut = 0; cut < body.size(); ++cut) {
    Decoded d(Message(kMsgOpen, Bytes(body.begin(), body.begin() + static_cast<long>(cut))));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << cut;
  }
  Decoded whole(Message(kMsgOpen, body));
  EXPECT_TRUE(whole.status.ok()) << whole.status.ToString();
}

TEST(BgpMessage, DecodesNotification) {
  Decoded d(Message(kMsgNotification, {6, 2, 0xAB, 0xCD}));  // Cease / Administrative Shutdown
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.type, kMsgNotification);
  EXPECT_EQ(d.msg.notification.code, 6);
  EXPECT_EQ(d.msg.notification.subcode, 2);
  EXPECT_EQ(Bytes(d.msg.notification.data.begin(), d.msg.notification.data.end()),
            (Bytes{0xAB, 0xCD}));

  Decoded bare(Message(kMsgNotification, {4, 0}));
  ASSERT_TRUE(bare.status.ok());
  EXPECT_EQ(bare.msg.notification.code, 4);
  EXPECT_TRUE(bare.msg.notification.data.empty());
}

TEST(BgpMessage, NotificationWithoutSubcodeIsCorrupt) {
  for (const Bytes& body : {Bytes{}, Bytes{6}}) {
    Decoded d(Message(kMsgNotification, body));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << body.size();
  }
}

TEST(BgpMessage, DecodesKeepaliveAndRouteRefresh) {
  Decoded k(Message(kMsgKeepalive, {}));
  ASSERT_TRUE(k.status.ok()) << k.status.ToString();
  EXPECT_EQ(k.msg.type, kMsgKeepalive);
  EXPECT_EQ(k.msg.length, kHeaderSize);
  EXPECT_TRUE(k.msg.body.empty());

  Decoded r(Message(kMsgRouteRefresh, {0, 1, 0, 1}));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.msg.type, kMsgRouteRefresh);
  EXPECT_EQ(r.msg.body.size(), 4u);
}

TEST(BgpMessage, UnknownTypeIsUnsupported) {
  for (uint8_t type : {0, 6, 255}) {
    Decoded d(Message(type, {1, 2}));
    EXPECT_EQ(d.status.code(), StatusCode::kUnsupported) << int{type};
  }
}

// RFC 4271 §4.1: the marker is all ones.
TEST(BgpMessage, BadMarkerIsCorruptAtEveryPosition) {
  for (size_t i = 0; i < 16; ++i) {
    Bytes m = Message(kMsgKeepalive, {});
    m[i] = 0xFE;
    Decoded d(m);
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << i;
    EXPECT_NE(d.status.message().find("marker"), std::string::npos);
  }
}

TEST(BgpMessage, HeaderTruncatedAtEveryCutIsCorrupt) {
  const Bytes m = Message(kMsgKeepalive, {});
  for (size_t cut = 0; cut < kHeaderSize; ++cut) {
    Decoded d(Bytes(m.begin(), m.begin() + static_cast<long>(cut)));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << cut;
  }
}

TEST(BgpMessage, LengthBelowHeaderSizeIsCorrupt) {
  for (uint16_t len : {0, 1, 18}) {
    Bytes m = Message(kMsgKeepalive, Bytes(8, 0));
    m[16] = static_cast<uint8_t>(len >> 8);
    m[17] = static_cast<uint8_t>(len);
    Decoded d(m);
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << len;
  }
}

TEST(BgpMessage, LengthBeyondTheDataIsTruncated) {
  for (uint16_t len : {20, 4096, 65535}) {
    Bytes m = Message(kMsgKeepalive, {});
    m[16] = static_cast<uint8_t>(len >> 8);
    m[17] = static_cast<uint8_t>(len);
    Decoded d(m);
    EXPECT_EQ(d.status.code(), StatusCode::kTruncated) << len;
  }
  // A real UPDATE cut short.
  Bytes u = Message(kMsgUpdate, UpdateBody({}, BasicAttrs(), Nlri("192.0.2.0/24")));
  u.pop_back();
  Decoded d(u);
  EXPECT_EQ(d.status.code(), StatusCode::kTruncated);
}

TEST(BgpMessage, BytesAfterTheLengthAreNotPartOfTheMessage) {
  Bytes m = Message(kMsgUpdate, UpdateBody({}, BasicAttrs(), Nlri("192.0.2.0/24")));
  const size_t len = m.size();
  m.insert(m.end(), {24, 203, 0, 113});  // would be one more prefix
  Decoded d(m);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.msg.length, len);
  EXPECT_EQ(d.msg.body.size(), len - kHeaderSize);
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24"}));
}

TEST(BgpMessage, UpdateLengthFieldsOverflowingTheBodyAreCorrupt) {
  // Withdrawn length past the end.
  Decoded w(Message(kMsgUpdate, Bytes{0, 9, 24, 10, 0, 0}));
  EXPECT_EQ(w.status.code(), StatusCode::kCorrupt);
  // Attribute length past the end.
  Decoded a(Message(kMsgUpdate, Cat({Bytes{0, 0, 0, 40}, BasicAttrs()})));
  EXPECT_EQ(a.status.code(), StatusCode::kCorrupt);
  // Lengths missing altogether.
  for (const Bytes& b : {Bytes{}, Bytes{0}, Bytes{0, 0}, Bytes{0, 0, 0}}) {
    Decoded d(Message(kMsgUpdate, b));
    EXPECT_EQ(d.status.code(), StatusCode::kCorrupt) << b.size();
  }
}

// RFC 7606 §7.1: the message still decodes, its NLRI known, so that the
// prefixes can be withdrawn; the attribute error says why.
TEST(BgpMessage, AttributeErrorMakesTheUpdateTreatAsWithdraw) {
  Bytes attrs = Attr(kFlagTransitive, kAttrOrigin, {0, 0});
  Decoded d(Message(kMsgUpdate, UpdateBody({}, attrs, Nlri("192.0.2.0/24"))));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.msg.update.attrs.withdrawn());
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24"}));
  ASSERT_EQ(d.msg.update.attrs.errors().size(), 1u);
  EXPECT_STREQ(d.msg.update.attrs.errors()[0].rule, "RFC 7606 §7.1");
  EXPECT_NE(d.msg.update.attrs.errors()[0].message.find("ORIGIN"), std::string::npos);
}

TEST(BgpMessage, NlriPrefixLengthOverThirtyTwoIsCorrupt) {
  // Neither reading parses: /33 without path ids, length 0xFF with them.
  Bytes nlri = {33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  Decoded d(Message(kMsgUpdate, UpdateBody({}, BasicAttrs(), nlri)));
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(d.status.message().find("NLRI"), std::string::npos) << d.status.message();
  Decoded w(Message(kMsgUpdate, UpdateBody(nlri, {}, {})));
  EXPECT_EQ(w.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(w.status.message().find("withdrawn"), std::string::npos) << w.status.message();
}

// MRT BGP4MP records without the _ADDPATH subtype may still carry RFC 7911
// path identifiers (BIRD writes them so): when only the ADD-PATH reading
// parses, it is taken and a warning says so.
TEST(DecodeUpdateBody, UndeclaredAddPathNlriIsDetected) {
  Bytes nlri = Cat({Nlri("192.0.2.0/24", 1), Nlri("198.51.100.0/24", 2)});
  Decoded d(UpdateBody({}, BasicAttrs(), nlri), Ctx(), Decoded::kUpdateBody);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.msg.add_path_detected);
  EXPECT_NE(d.msg.warning.find("RFC 7911"), std::string::npos) << d.msg.warning;
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24#1", "198.51.100.0/24#2"}));
  EXPECT_EQ(d.msg.type, kMsgUpdate);
}

TEST(DecodeUpdateBody, UndeclaredAddPathInWithdrawnAppliesToNlriToo) {
  // The NLRI alone parses both ways (path id 0 and /0 reads as five /0
  // prefixes); once the withdrawn routes showed path ids it is read with them.
  Bytes withdrawn = Cat({Nlri("10.0.0.0/8", 3), Nlri("10.1.0.0/16", 4)});
  Bytes nlri = Nlri("0.0.0.0/0", 0);
  Decoded d(UpdateBody(withdrawn, BasicAttrs(), nlri), Ctx(), Decoded::kUpdateBody);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.msg.add_path_detected);
  EXPECT_EQ(Texts(d.msg.update.withdrawn), (Strings{"10.0.0.0/8#3", "10.1.0.0/16#4"}));
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"0.0.0.0/0"}));
}

TEST(DecodeUpdateBody, AddPathDetectedInMpAttributesAppliesToNlri) {
  Bytes mp = {0, kAfiIpv6, kSafiUnicast, 16};
  Bytes nh = IpBytes("2001:db8::1");
  mp.insert(mp.end(), nh.begin(), nh.end());
  mp.push_back(0);
  Bytes mp_nlri = Nlri("2001:db8:1::/48", 1);
  mp.insert(mp.end(), mp_nlri.begin(), mp_nlri.end());
  Bytes attrs = Cat({BasicAttrs(), Attr(kFlagOptional, kAttrMpReach, mp)});
  Decoded d(UpdateBody({}, attrs, Nlri("0.0.0.0/0", 0)), Ctx(), Decoded::kUpdateBody);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.msg.update.attrs.add_path_detected);
  EXPECT_TRUE(d.msg.add_path_detected);
  EXPECT_FALSE(d.msg.warning.empty());
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"0.0.0.0/0"}));
}

TEST(DecodeUpdateBody, DeclaredAddPathIsNotAWarning) {
  Bytes nlri = Cat({Nlri("192.0.2.0/24", 1), Nlri("192.0.2.0/24", 2)});
  Decoded d(UpdateBody(Nlri("10.0.0.0/8", 5), BasicAttrs(), nlri), Ctx(4, /*add_path=*/true),
            Decoded::kUpdateBody);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_FALSE(d.msg.add_path_detected);
  EXPECT_EQ(d.msg.warning, "");
  EXPECT_EQ(Texts(d.msg.update.withdrawn), (Strings{"10.0.0.0/8#5"}));
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24#1", "192.0.2.0/24#2"}));
}

// bgpdump keeps the complete prefixes before a cut one; so does the decoder,
// with a warning.
TEST(DecodeUpdateBody, TruncatedNlriTailIsKeptWithWarning) {
  Bytes nlri = Cat({Nlri("192.0.2.0/24"), Nlri("198.51.100.0/24")});
  nlri.pop_back();
  Decoded d(UpdateBody({}, BasicAttrs(), nlri), Ctx(), Decoded::kUpdateBody);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(Texts(d.msg.update.nlri), (Strings{"192.0.2.0/24"}));
  EXPECT_NE(d.msg.warning.find("NLRI"), std::string::npos) << d.msg.warning;
  EXPECT_NE(d.msg.warning.find("kept"), std::string::npos) << d.msg.warning;
  EXPECT_FALSE(d.msg.add_path_detected);
}

TEST(DecodeUpdateBody, NlriCutAtEveryOffsetNeverOverreads) {
  const Bytes nlri = Cat({Nlri("192.0.2.0/24"), Nlri("10.0.0.0/8"), Nlri("198.51.100.128/25")});
  for (size_t cut = 0; cut <= nlri.size(); ++cut) {
    SCOPED_TRACE(cut);
    Bytes body =
        UpdateBody({}, BasicAttrs(), Bytes(nlri.begin(), nlri.begin() + static_cast<long>(cut)));
    Decoded d(body, Ctx(), Decoded::kUpdateBody);
    // Every cut keeps the complete prefixes before it, with a warning unless
    // the cut falls between prefixes. No cut here parses as ADD-PATH.
    ASSERT_TRUE(d.status.ok()) << d.status.ToString();
    const bool boundary = cut == 0 || cut == 4 || cut == 6 || cut == nlri.size();
    EXPECT_EQ(d.msg.warning.empty(), boundary) << d.msg.warning;
    EXPECT_FALSE(d.msg.add_path_detected);
    const size_t complete = (cut >= 4 ? 1 : 0) + (cut >= 6 ? 1 : 0) + (cut == nlri.size() ? 1 : 0);
    EXPECT_EQ(d.msg.update.nlri.size(), complete);
  }
}

// RFC 6396 §4.3.4's abbreviated MP_REACH_NLRI belongs to RIB entries only;
// an UPDATE always carries the full form.
TEST(DecodeUpdateBody, AbbreviatedMpReachIsNotAcceptedInUpdates) {
  Bytes abbreviated = {16};
  Bytes nh = IpBytes("2001:db8::1");
  abbreviated.insert(abbreviated.end(), nh.begin(), nh.end());
  Bytes attrs = Cat({BasicAttrs(), Attr(kFlagOptional, kAttrMpReach, abbreviated)});
  Decoded d(UpdateBody({}, attrs, {}), Ctx(4, false, /*mrt_rib=*/true), Decoded::kUpdateBody);
  EXPECT_TRUE(d.msg.update.attrs.withdrawn());
  EXPECT_EQ(d.msg.update.attrs.mp_reach_count, 1u);
  EXPECT_FALSE(d.msg.update.attrs.mp_reach[0].abbreviated);
}

TEST(DecodeUpdateBody, ReusedMessageForgetsThePreviousUpdate) {
  BgpMessage msg;
  Bytes first = UpdateBody(Nlri("10.0.0.0/8", 1), BasicAttrs(), Nlri("192.0.2.0/24", 2));
  ASSERT_TRUE(msg.DecodeUpdateBody(first, Ctx()).ok());
  ASSERT_TRUE(msg.add_path_detected);
  ASSERT_FALSE(msg.warning.empty());
  Bytes second = UpdateBody({}, BasicAttrs(), Nlri("198.51.100.0/24"));
  ASSERT_TRUE(msg.DecodeUpdateBody(second, Ctx()).ok());
  EXPECT_FALSE(msg.add_path_detected);
  EXPECT_EQ(msg.warning, "");
  EXPECT_TRUE(msg.update.withdrawn.empty());
  EXPECT_EQ(Texts(msg.update.nlri), (Strings{"198.51.100.0/24"}));
}

}  // namespace
}  // namespace vigia::bgp

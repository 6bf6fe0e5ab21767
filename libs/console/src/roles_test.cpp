#include "vgi/console/roles.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace vgi::console {
namespace {

constexpr std::array<Role, 5> kAllRoles = {Role::kDispatcher, Role::kViewer, Role::kSystemAdmin, Role::kSecurityAdmin,
                                           Role::kAuditor};
constexpr std::array<Permission, 8> kAllPermissions = {
    Permission::kReadBusiness, Permission::kManageDemands, Permission::kAckAlarms,   Permission::kReadSensitive,
    Permission::kManageUsers,  Permission::kManagePeers,   Permission::kManageRoles, Permission::kReadAudit};

TEST(RolesTest, NamesRoundTrip) {
  EXPECT_EQ(RoleName(Role::kDispatcher), "dispatcher");
  EXPECT_EQ(RoleName(Role::kViewer), "viewer");
  EXPECT_EQ(RoleName(Role::kSystemAdmin), "sysadmin");
  EXPECT_EQ(RoleName(Role::kSecurityAdmin), "secadmin");
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
  for (Role r : kAllRoles) {
    const Result<Role> parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_EQ(ParseRole("admin").status(),
            Status::Invalid("role: \"admin\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor"));
  EXPECT_EQ(ParseRole("Viewer").status(),
            Status::Invalid("role: \"Viewer\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor"));
  EXPECT_EQ(ParseRole("").status(),
            Status::Invalid("role: \"\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor"));
}

TEST(RolesTest, SetsFormatAndParse) {
  const RoleSet set = ToSet({Role::kViewer, Role::kDispatcher});
  EXPECT_EQ(set, 0b00011);
  EXPECT_EQ(ToSet({Role::kAuditor}), 0b10000);
  EXPECT_EQ(ToSet({}), 0);
  EXPECT_EQ(Roles(set), (std::vector<Role>{Role::kDispatcher, Role::kViewer}));
  EXPECT_EQ(FormatRoles(set), "dispatcher,viewer");
  EXPECT_EQ(FormatRoles(ToSet({Role::kSecurityAdmin})), "secadmin");
  EXPECT_EQ(FormatRoles(0), "");

  const Result<RoleSet> parsed = ParseRoles("viewer, dispatcher");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, set);
  const Result<RoleSet> empty = ParseRoles("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0);
  for (Role r : kAllRoles) {
    const Result<RoleSet> one = ParseRoles(FormatRoles(ToSet({r})));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(*one, ToSet({r}));
  }
}

TEST(RolesTest, ParseRolesErrors) {
  EXPECT_EQ(ParseRoles("viewer,root").status(),
            Status::Invalid("role: \"root\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor"));
  EXPECT_EQ(ParseRoles("viewer,,dispatcher").status(),
            Status::Invalid("roles: empty role name in \"viewer,,dispatcher\""));
  EXPECT_EQ(ParseRoles("viewer,").status(), Status::Invalid("roles: empty role name in \"viewer,\""));
  EXPECT_EQ(ParseRoles(",viewer").status(), Status::Invalid("roles: empty role name in \",viewer\""));
  EXPECT_EQ(ParseRoles("viewer,viewer").status(), Status::Invalid("roles: \"viewer\" is listed twice"));
}

TEST(RolesTest, SeparationOfDuties) {
  // Each role alone is fine; so is the one business pair.
  for (Role r : kAllRoles) EXPECT_EQ(ValidateRoles(ToSet({r})), Status::Ok()) << RoleName(r);
  EXPECT_EQ(ValidateRoles(ToSet({Role::kDispatcher, Role::kViewer})), Status::Ok());

  EXPECT_EQ(ValidateRoles(0), Status::Invalid("roles: at least one role is required"));
  EXPECT_EQ(ValidateRoles(0b100000), Status::Invalid("roles: unknown role bits"));

  // Every other pair is forbidden; the message names both, in enum order.
  const std::vector<std::pair<RoleSet, std::string>> forbidden = {
      {ToSet({Role::kDispatcher, Role::kSystemAdmin}), "dispatcher and sysadmin"},
      {ToSet({Role::kDispatcher, Role::kSecurityAdmin}), "dispatcher and secadmin"},
      {ToSet({Role::kDispatcher, Role::kAuditor}), "dispatcher and auditor"},
      {ToSet({Role::kViewer, Role::kSystemAdmin}), "viewer and sysadmin"},
      {ToSet({Role::kViewer, Role::kSecurityAdmin}), "viewer and secadmin"},
      {ToSet({Role::kViewer, Role::kAuditor}), "viewer and auditor"},
      {ToSet({Role::kSystemAdmin, Role::kSecurityAdmin}), "sysadmin and secadmin"},
      {ToSet({Role::kSystemAdmin, Role::kAuditor}), "sysadmin and auditor"},
      {ToSet({Role::kSecurityAdmin, Role::kAuditor}), "secadmin and auditor"},
  };
  for (const auto& [set, pair] : forbidden) {
    EXPECT_EQ(ValidateRoles(set),
              Status::Invalid("roles: " + pair + " cannot be held by one account (separation of duties)"))
        << FormatRoles(set);
  }
  // Three roles: the first conflicting pair is named.
  EXPECT_EQ(ValidateRoles(ToSet({Role::kDispatcher, Role::kViewer, Role::kAuditor})),
            Status::Invalid("roles: dispatcher and auditor cannot be held by one account (separation of duties)"));
}

TEST(RolesTest, PermissionMatrix) {
  // Rows: roles; columns: ReadBusiness, ManageDemands, AckAlarms, ReadSensitive, ManageUsers,
  // ManagePeers, ManageRoles, ReadAudit.
  const std::array<std::array<bool, 8>, 5> matrix = {{
      /* dispatcher */ {true, true, true, true, false, false, false, false},
      /* viewer     */ {true, false, false, false, false, false, false, false},
      /* sysadmin   */ {false, false, false, false, true, true, false, false},
      /* secadmin   */ {false, false, false, false, false, false, true, false},
      /* auditor    */ {false, false, false, false, false, false, false, true},
  }};
  for (std::size_t r = 0; r < kAllRoles.size(); ++r) {
    for (std::size_t p = 0; p < kAllPermissions.size(); ++p) {
      EXPECT_EQ(Allows(ToSet({kAllRoles[r]}), kAllPermissions[p]), matrix[r][p])
          << RoleName(kAllRoles[r]) << " / " << PermissionName(kAllPermissions[p]);
    }
  }
  // No roles: nothing. A set allows the union.
  for (Permission p : kAllPermissions) EXPECT_FALSE(Allows(0, p));
  EXPECT_TRUE(Allows(ToSet({Role::kViewer, Role::kDispatcher}), Permission::kManageDemands));
}

TEST(RolesTest, PermissionNames) {
  const std::array<std::string_view, 8> names = {"read_business", "manage_demands", "ack_alarms",   "read_sensitive",
                                                 "manage_users",  "manage_peers",   "manage_roles", "read_audit"};
  for (std::size_t p = 0; p < kAllPermissions.size(); ++p) EXPECT_EQ(PermissionName(kAllPermissions[p]), names[p]);
}

TEST(MaskTest, AsciiChineseAndShort) {
  EXPECT_EQ(Mask("13812345678"), "1*********8");
  EXPECT_EQ(Mask("abc"), "a*c");
  EXPECT_EQ(Mask("天津联联充电站"), "天*****站");
  EXPECT_EQ(Mask("A栋3号"), "A**号");
  EXPECT_EQ(Mask("91120000MA05L8XX3K"), "9****************K");
  // 0-2 code points: "**", whatever the byte length.
  EXPECT_EQ(Mask(""), "**");
  EXPECT_EQ(Mask("a"), "**");
  EXPECT_EQ(Mask("ab"), "**");
  EXPECT_EQ(Mask("天"), "**");
  EXPECT_EQ(Mask("天津"), "**");
  EXPECT_EQ(Mask("😀x😀"), "😀*😀");  // 4-byte code points
  // Invalid UTF-8 bytes count one each and are never split into a partial sequence.
  EXPECT_EQ(Mask("\xff\xfe\xfd"), "\xff*\xfd");
  EXPECT_EQ(Mask("a\xe5\xa4"), "a*\xa4");  // truncated 3-byte sequence: two single bytes
}

}  // namespace
}  // namespace vgi::console

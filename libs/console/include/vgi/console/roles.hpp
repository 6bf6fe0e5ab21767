#pragma once
// Console roles and permissions (seed 002 §6.2/§8.2, issue 6 "Roles"): five roles, separation of
// duties between the three administrators and the business roles, the permission matrix and the
// masking of sensitive text for roles that may not read it.
//
// Thread safety: free functions over values; safe from any thread.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"

namespace vgi::console {

enum class Role : std::uint8_t { kDispatcher, kViewer, kSystemAdmin, kSecurityAdmin, kAuditor };

// "dispatcher", "viewer", "sysadmin", "secadmin", "auditor".
std::string_view RoleName(Role r);
// Exact (case-sensitive) role name.
// Invalid("role: \"x\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor").
Result<Role> ParseRole(std::string_view name);

// A set of roles: bit (1 << Role).
using RoleSet = std::uint8_t;
RoleSet ToSet(std::initializer_list<Role> roles);
// The roles in the set, in enum order.
std::vector<Role> Roles(RoleSet roles);
// "dispatcher,viewer" (enum order, no spaces); "" for the empty set.
std::string FormatRoles(RoleSet roles);
// "dispatcher,viewer": names separated by commas, spaces around a name ignored. Errors (Invalid):
// an unknown name (ParseRole's message), an empty entry ("roles: empty role name in \"...\""),
// a repeated name ("roles: \"viewer\" is listed twice"). The empty string gives the empty set
// (ValidateRoles refuses it).
Result<RoleSet> ParseRoles(std::string_view comma_separated);

// Separation of duties: at least one role ("roles: at least one role is required"); the three
// administrative roles (sysadmin, secadmin, auditor) are mutually exclusive on one account and
// exclude the business roles (dispatcher, viewer): an administrator performs no business
// operation. Invalid naming the first conflicting pair in enum order, e.g.
// "roles: sysadmin and auditor cannot be held by one account (separation of duties)".
// Bits outside the five roles: "roles: unknown role bits".
Status ValidateRoles(RoleSet roles);

enum class Permission : std::uint8_t {
  kReadBusiness,   // overview, operators, stations, curves, demands, execution, settlements, reports, alarms (read)
  kManageDemands,  // create / change / cancel demands
  kAckAlarms,      // acknowledge / close alarms
  kReadSensitive,  // unmasked sensitive station fields (names, addresses, credit codes, coordinates)
  kManageUsers,    // create users, enable/disable, list users  (sysadmin)
  kManagePeers,    // onboard / disable operator platforms, configuration (sysadmin)
  kManageRoles,    // assign roles, reset passwords, rotate keys (secadmin)
  kReadAudit,      // the audit log and its verification (auditor)
};

// "read_business", "manage_demands", "ack_alarms", "read_sensitive", "manage_users",
// "manage_peers", "manage_roles", "read_audit".
std::string_view PermissionName(Permission p);

// The matrix: dispatcher = ReadBusiness, ManageDemands, AckAlarms, ReadSensitive;
// viewer = ReadBusiness; sysadmin = ManageUsers, ManagePeers; secadmin = ManageRoles;
// auditor = ReadAudit. A set allows what any of its roles allows.
bool Allows(RoleSet roles, Permission p);

// Masks a sensitive text for roles without kReadSensitive: keeps the first and last code point,
// one "*" per code point in between ("天津联联充电站" -> "天*****站"); texts of 0-2 code points
// become "**" so their length is not revealed. Invalid UTF-8 bytes count as one code point each.
std::string Mask(std::string_view text);

}  // namespace vgi::console

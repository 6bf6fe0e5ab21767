#include "vgi/console/roles.hpp"

#include <array>

namespace vgi::console {
namespace {

constexpr int kRoleCount = 5;
constexpr std::array<std::string_view, kRoleCount> kRoleNames = {"dispatcher", "viewer", "sysadmin", "secadmin",
                                                                 "auditor"};
constexpr RoleSet kAllRoles = (1u << kRoleCount) - 1;

constexpr RoleSet Bit(Role r) {
  return static_cast<RoleSet>(1u << static_cast<unsigned>(r));
}
constexpr RoleSet Bit(Permission p) {
  return static_cast<RoleSet>(1u << static_cast<unsigned>(p));
}

constexpr bool IsAdmin(Role r) {
  return r == Role::kSystemAdmin || r == Role::kSecurityAdmin || r == Role::kAuditor;
}

// Permissions of each role, as a bit set over Permission (8 permissions fit a byte).
constexpr std::uint8_t PermissionsOf(Role r) {
  switch (r) {
    case Role::kDispatcher:
      return Bit(Permission::kReadBusiness) | Bit(Permission::kManageDemands) | Bit(Permission::kAckAlarms) |
             Bit(Permission::kReadSensitive);
    case Role::kViewer:
      return Bit(Permission::kReadBusiness);
    case Role::kSystemAdmin:
      return Bit(Permission::kManageUsers) | Bit(Permission::kManagePeers);
    case Role::kSecurityAdmin:
      return Bit(Permission::kManageRoles);
    case Role::kAuditor:
      return Bit(Permission::kReadAudit);
  }
  return 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Length of the UTF-8 sequence starting at s[i]; 1 for a byte that starts no valid sequence.
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 1;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
  }
  if (i + n > s.size()) return 1;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

}  // namespace

std::string_view RoleName(Role r) {
  const auto i = static_cast<std::size_t>(r);
  return i < kRoleNames.size() ? kRoleNames[i] : std::string_view("unknown");
}

Result<Role> ParseRole(std::string_view name) {
  for (int i = 0; i < kRoleCount; ++i) {
    if (kRoleNames[static_cast<std::size_t>(i)] == name) return static_cast<Role>(i);
  }
  return Status::Invalid("role: \"" + std::string(name) +
                         "\" is not one of dispatcher, viewer, sysadmin, secadmin, auditor");
}

RoleSet ToSet(std::initializer_list<Role> roles) {
  RoleSet set = 0;
  for (Role r : roles) set |= Bit(r);
  return set;
}

std::vector<Role> Roles(RoleSet roles) {
  std::vector<Role> out;
  for (int i = 0; i < kRoleCount; ++i) {
    if (roles & (1u << i)) out.push_back(static_cast<Role>(i));
  }
  return out;
}

std::string FormatRoles(RoleSet roles) {
  std::string out;
  for (Role r : Roles(roles)) {
    if (!out.empty()) out += ',';
    out += RoleName(r);
  }
  return out;
}

Result<RoleSet> ParseRoles(std::string_view comma_separated) {
  RoleSet set = 0;
  if (Trim(comma_separated).empty()) return set;
  std::string_view rest = comma_separated;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = Trim(rest.substr(0, comma));
    if (name.empty()) {
      return Status::Invalid("roles: empty role name in \"" + std::string(comma_separated) + "\"");
    }
    VGI_ASSIGN_OR_RETURN(const Role role, ParseRole(name));
    if (set & Bit(role)) {
      return Status::Invalid("roles: \"" + std::string(name) + "\" is listed twice");
    }
    set |= Bit(role);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return set;
}

Status ValidateRoles(RoleSet roles) {
  if (roles == 0) return Status::Invalid("roles: at least one role is required");
  if (roles & ~kAllRoles) return Status::Invalid("roles: unknown role bits");
  const std::vector<Role> held = Roles(roles);
  for (std::size_t i = 0; i < held.size(); ++i) {
    for (std::size_t j = i + 1; j < held.size(); ++j) {
      // Only dispatcher + viewer may be combined: any pair with an administrator conflicts.
      if (IsAdmin(held[i]) || IsAdmin(held[j])) {
        return Status::Invalid("roles: " + std::string(RoleName(held[i])) + " and " + std::string(RoleName(held[j])) +
                               " cannot be held by one account (separation of duties)");
      }
    }
  }
  return Status::Ok();
}

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kReadBusiness:
      return "read_business";
    case Permission::kManageDemands:
      return "manage_demands";
    case Permission::kAckAlarms:
      return "ack_alarms";
    case Permission::kReadSensitive:
      return "read_sensitive";
    case Permission::kManageUsers:
      return "manage_users";
    case Permission::kManagePeers:
      return "manage_peers";
    case Permission::kManageRoles:
      return "manage_roles";
    case Permission::kReadAudit:
      return "read_audit";
  }
  return "unknown";
}

bool Allows(RoleSet roles, Permission p) {
  for (Role r : Roles(roles)) {
    if (PermissionsOf(r) & Bit(p)) return true;
  }
  return false;
}

std::string Mask(std::string_view text) {
  std::vector<std::string_view> points;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = SequenceLength(text, i);
    points.push_back(text.substr(i, n));
    i += n;
  }
  if (points.size() <= 2) return "**";
  std::string out(points.front());
  out.append(points.size() - 2, '*');
  out += points.back();
  return out;
}

}  // namespace vgi::console

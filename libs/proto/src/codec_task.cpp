// Schemas of the regulation instruction family (seed 6.5, 7.3-7.6).
#include "json_codec.hpp"

namespace vgi::proto {
namespace codec {

constexpr double kMaxKw = 1e7;  // a whole operator's or market's target
constexpr Text kId{.max_len = 64, .id = true};

template <>
struct Schema<AdjustTarget> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("targetPower", VGI_AT(target_power), Dec<2>{0, kMaxKw}),
        Required("startTime", VGI_AT(start_time), MinuteRule{}),
        Required("endTime", VGI_AT(end_time), MinuteRule{}));
    return fields;
  }
  static Status Check(const AdjustTarget& t, const Path& path) {
    if (t.end_time < t.start_time) {
      return Fail(path.Child("endTime"), FormatMinute(t.end_time) + " is before startTime " + FormatMinute(t.start_time));
    }
    return Status::Ok();
  }
};

// Fields shared by send_task, query_task_result's answer and callback_task_check, reached from
// the coded object through `base` (the object itself, or InstructionResult::instruction).
template <class Base>
auto InstructionHead(Base base) {
  return std::make_tuple(
      Required("taskID", [base](auto& o) -> auto& { return base(o).task_id; }, kId),
      Required("regulationID", [base](auto& o) -> auto& { return base(o).regulation_id; }, kId),
      Required("type", [base](auto& o) -> auto& { return base(o).type; }, OneOf<RegulationType, 1, 2>{}),
      Required("synchroType", [base](auto& o) -> auto& { return base(o).synchro_type; }, OneOf<SynchroType, 1, 2, 3>{}),
      Required("rangeType", [base](auto& o) -> auto& { return base(o).range_type; }, OneOf<RangeType, 1, 2, 3, 4, 5>{}));
}

template <class Base>
auto InstructionTail(Base base) {
  return std::make_tuple(
      Required("adjustIDList", [base](auto& o) -> auto& { return base(o).adjust_ids; },
               ListOf<Text>{kId, 1, kMaxAdjustIds}),
      Optional("creditCode", [base](auto& o) -> auto& { return base(o).credit_code; },
               Text{.sensitive = true, .form = Form::kCreditCode}),
      Required("adjustTargetList", [base](auto& o) -> auto& { return base(o).targets; },
               ListOf<Obj<AdjustTarget>>{{}, 0, kMaxAdjustTargets}));
}

template <class Base>
auto IsForceField(Base base) {
  return std::make_tuple(Required("isForce", [base](auto& o) -> auto& { return base(o).is_force; }, Flag{}));
}

constexpr auto kSelf = [](auto& o) -> auto& { return o; };

// Rules that tie the instruction's fields together.
template <class I>
Status CheckInstruction(const I& in, const Path& path) {
  const bool single = in.range_type == RangeType::kStation || in.range_type == RangeType::kStake;
  if (single && in.adjust_ids.size() != 1) {
    return Fail(path.Child("adjustIDList"), "must hold exactly one ID when rangeType is " +
                                                std::to_string(static_cast<int>(in.range_type)) + " (single station or stake)");
  }
  if (single && !in.credit_code) {
    return Fail(path.Child("creditCode"), "required when rangeType is 4 (station) or 5 (stake)");
  }
  if (in.targets.empty() && in.synchro_type != SynchroType::kCancel) {
    return Fail(path.Child("adjustTargetList"), "must not be empty unless synchroType is 3 (cancel)");
  }
  const Path list = path.Child("adjustTargetList");
  for (std::size_t i = 1; i < in.targets.size(); ++i) {
    if (in.targets[i].start_time <= in.targets[i - 1].end_time) {
      return Fail(list.Item(i).Child("startTime"),
                  FormatMinute(in.targets[i].start_time) + " is not after the previous window's endTime " +
                      FormatMinute(in.targets[i - 1].end_time) + " (windows must be in order and not overlap)");
    }
  }
  return Status::Ok();
}

template <>
struct Schema<Instruction> {
  static const auto& Fields() {
    static const auto fields =
        std::tuple_cat(InstructionHead(kSelf), IsForceField(kSelf), InstructionTail(kSelf));
    return fields;
  }
  static Status Check(const Instruction& in, const Path& path) { return CheckInstruction(in, path); }
};

template <>
struct Schema<InstructionAdjustment> {
  static const auto& Fields() {
    static const auto fields = std::tuple_cat(InstructionHead(kSelf), InstructionTail(kSelf));
    return fields;
  }
  static Status Check(const InstructionAdjustment& in, const Path& path) { return CheckInstruction(in, path); }
};

template <>
struct Schema<InstructionResult> {
  static const auto& Fields() {
    constexpr auto inner = [](auto& o) -> auto& { return o.instruction; };
    static const auto fields = std::tuple_cat(
        InstructionHead(inner), IsForceField(inner),
        std::make_tuple(Required("status", VGI_AT(status), OneOf<InstructionStatus, 0, 1, 2>{})),
        InstructionTail(inner));
    return fields;
  }
  static Status Check(const InstructionResult& r, const Path& path) {
    return CheckInstruction(r.instruction, path);
  }
};

template <>
struct Schema<InstructionRef> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("taskID", VGI_AT(task_id), kId),
        Required("regulationID", VGI_AT(regulation_id), kId));
    return fields;
  }
};

template <>
struct Schema<InstructionFeedback> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("taskID", VGI_AT(task_id), kId),
        Required("regulationID", VGI_AT(regulation_id), kId),
        Required("status", VGI_AT(status), OneOf<Feedback, 0, 1>{}));
    return fields;
  }
};

}  // namespace codec

VGI_PROTO_DEFINE_CODEC(Instruction)
VGI_PROTO_DEFINE_CODEC(InstructionRef)
VGI_PROTO_DEFINE_CODEC(InstructionResult)
VGI_PROTO_DEFINE_CODEC(InstructionFeedback)
VGI_PROTO_DEFINE_CODEC(InstructionAdjustment)

}  // namespace vgi::proto

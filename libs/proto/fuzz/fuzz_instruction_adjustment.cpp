// DecodeData<InstructionAdjustment> on arbitrary bytes; a decoded value must survive canonical re-encoding.
// See fuzz_common.hpp (FuzzDecoder) for the invariants.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vgi::fuzz::FuzzDecoder<vgi::proto::InstructionAdjustment>(data, size);
}

// A checkpoint's trainer.json (what resume reads before any tensor): any bytes -> a TrainerState
// with in-range counters, or an InputError naming the file. The tensors (model.pt, optim.pt) are
// LibTorch's own archive format; their damage is caught and reported by checkpoint.cpp (tested in
// tests/engine/test_trainer.cpp).
#include "seqpe/common/error.h"
#include "train/trainer_state.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const seqpe::TrainerState st =
            seqpe::parse_trainer_state(std::string_view(reinterpret_cast<const char*>(data), size), "trainer.json");
        if (st.step < 0 || st.tokens_seen < 0 || st.best_step < -1) std::abort(); // the parser's promise
        (void)seqpe::parse_trainer_state(seqpe::trainer_state_json(st), "round trip");
    } catch (const seqpe::InputError&) {
    }
    return 0;
}

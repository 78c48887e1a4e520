// A checkpoint's trainer.json (what resume reads before any tensor): any bytes -> a TrainerState
// with in-range counters, or an InputError naming the file. The same bytes as the checkpoint's
// DONE record: inspect_checkpoint never throws and never reads outside the checkpoint. The
// tensors (model.pt, optim.pt) are LibTorch's own archive format; their damage is caught by the
// checksums and by checkpoint.cpp (tests/engine/test_checkpoint_recovery.cpp).
#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "train/trainer_state.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const seqpe::TrainerState st =
            seqpe::parse_trainer_state(std::string_view(reinterpret_cast<const char*>(data), size), "trainer.json");
        if (st.step < 0 || st.tokens_seen < 0 || st.best_step < -1) std::abort(); // the parser's promise
        (void)seqpe::parse_trainer_state(seqpe::trainer_state_json(st), "round trip");
    } catch (const seqpe::InputError&) {
    }
    static const std::filesystem::path dir = [] {
        const auto d =
            std::filesystem::temp_directory_path() / ("fuzz-ck-" + std::to_string(::getpid())) / "step-00000010";
        std::filesystem::create_directories(d);
        seqpe::write_file_atomic(d / "model.pt", "weights");
        return d;
    }();
    seqpe::write_file_atomic(dir / "DONE", std::string_view(reinterpret_cast<const char*>(data), size));
    const seqpe::CheckpointInfo info = seqpe::inspect_checkpoint(dir); // must not throw
    if (info.step != 10 || (info.health != seqpe::CheckpointHealth::Damaged && !info.usable())) std::abort();
    return 0;
}

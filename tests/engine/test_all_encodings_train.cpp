// Every encoding (and every SeqPE application) trains the tiny language model with a falling loss.
#include "seqpe/trainer.h"
#include "test_util.h"

#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {
struct Losses : Observer {
    std::vector<double> v;
    void on_record(const Record& r) override {
        if (r.kind == "train") v.push_back(*r.get("loss_task"));
    }
};
} // namespace

TEST(AllEncodingsTrain, TinyLanguageModelLossFalls) {
    TempDir tmp("all");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    struct Case {
        std::string type, apply, qk;
    };
    std::vector<Case> cases = {{"learned", "", ""}, {"sinusoidal", "", ""}, {"rope", "", ""}, {"alibi", "", ""}, {"none", "", ""}};
    for (const char* a : {"input_add", "attn_mul", "attn_add", "attn_scalar"})
        for (const char* q : {"none", "single", "multi"})
            if (std::string(a) != "input_add" || std::string(q) == "none") cases.push_back({"seqpe", a, q});
    for (const auto& k : cases) {
        RunConfig c = tiny_lm_config(k.type);
        c.train.steps = 40;
        c.train.eval_every = 0;
        c.train.checkpoint_every = 0;
        if (!k.apply.empty()) {
            c.position_encoding.seqpe.apply = k.apply;
            c.position_encoding.seqpe.qk_map = k.qk;
        }
        TrainerOptions o;
        o.run_dir = tmp / (k.type + k.apply + k.qk);
        o.dataset_dir = data;
        Losses obs;
        const RunResult r = make_trainer(c, o)->run(obs, {});
        ASSERT_EQ(r.outcome, RunOutcome::Completed) << k.type << " " << k.apply << " " << k.qk << ": " << r.message;
        double first = 0, last = 0;
        for (int i = 0; i < 5; ++i) {
            first += obs.v[static_cast<size_t>(i)] / 5;
            last += obs.v[obs.v.size() - 1 - static_cast<size_t>(i)] / 5;
        }
        EXPECT_LT(last, first - 0.3) << k.type << " " << k.apply << " " << k.qk;
    }
}

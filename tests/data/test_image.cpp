// IDX reading and image datasets (IDX folders, class folders, Fashion-MNIST).
#include "helpers.h"

#include "seqpe/common/error.h"
#include "seqpe/common/manifest.h"
#include "seqpe/data/idx.h"
#include "seqpe/data/image.h"
#include "seqpe/data/report.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::data;
using namespace seqpe::test;

namespace {

std::string idx_header(uint32_t magic, const std::vector<uint32_t>& dims) {
    std::string s;
    auto put = [&](uint32_t v) {
        for (int k = 24; k >= 0; k -= 8) s.push_back(char((v >> k) & 0xFF));
    };
    put(magic);
    for (auto d : dims) put(d);
    return s;
}

void write_gz(const fs::path& p, const std::string& bytes) {
    gzFile f = gzopen(p.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    gzclose(f);
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x = x * 1664525u + 1013904223u;
        b = uint8_t(x >> 24);
    }
    return v;
}

// Runs `f` in a child process whose address space is capped at `limit` bytes; true when it exits 0.
bool runs_within_memory(size_t limit, const std::function<bool()>& f) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        rlimit rl{limit, limit};
        ::setrlimit(RLIMIT_AS, &rl);
        bool ok = false;
        try {
            ok = f();
        } catch (...) {
            ok = false;
        }
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// An MNIST-format folder: `n_train` images of rows x cols with labels i % classes, `n_test` more.
struct IdxFixture {
    std::vector<uint8_t> train_images, test_images, train_labels, test_labels;
};

IdxFixture make_idx_folder(const fs::path& dir, uint32_t n_train, uint32_t n_test, uint32_t rows, uint32_t cols,
                           uint32_t classes, bool gzip) {
    fs::create_directories(dir);
    IdxFixture f;
    f.train_images = pattern(size_t(n_train) * rows * cols, 1);
    f.test_images = pattern(size_t(n_test) * rows * cols, 2);
    for (uint32_t i = 0; i < n_train; ++i) f.train_labels.push_back(uint8_t(i % classes));
    for (uint32_t i = 0; i < n_test; ++i) f.test_labels.push_back(uint8_t((i * 3) % classes));
    const std::string ext = gzip ? ".gz" : "";
    write_idx(dir / ("train-images-idx3-ubyte" + ext), {n_train, rows, cols}, f.train_images, gzip);
    write_idx(dir / ("train-labels-idx1-ubyte" + ext), {n_train}, f.train_labels, gzip);
    write_idx(dir / ("t10k-images-idx3-ubyte" + ext), {n_test, rows, cols}, f.test_images, gzip);
    write_idx(dir / ("t10k-labels-idx1-ubyte" + ext), {n_test}, f.test_labels, gzip);
    return f;
}

} // namespace

TEST(DataIdx, PlainAndGzipParsedExactly) {
    ScratchDir tmp;
    const auto data = pattern(7 * 5 * 3, 42);
    const std::string bytes = idx_header(0x00000803, {7, 5, 3}) + std::string(data.begin(), data.end());
    write_bytes(tmp / "plain-idx3-ubyte", bytes);
    write_gz(tmp / "packed-idx3-ubyte.gz", bytes);
    for (const char* name : {"plain-idx3-ubyte", "packed-idx3-ubyte.gz"}) {
        SCOPED_TRACE(name);
        const IdxArray a = read_idx(tmp / name, 3);
        EXPECT_EQ(a.header.magic, 0x00000803u);
        EXPECT_EQ(a.header.dims, (std::vector<uint32_t>{7, 5, 3}));
        EXPECT_EQ(a.data, data);
        const IdxHeader h = read_idx_header(tmp / name, 3);
        EXPECT_EQ(h.elements(), 105u);
    }
    const std::vector<uint8_t> labels = {0, 9, 3, 255};
    write_bytes(tmp / "labels", idx_header(0x00000801, {4}) + std::string(labels.begin(), labels.end()));
    EXPECT_EQ(read_idx(tmp / "labels", 1).data, labels);
}

TEST(DataIdx, RefusesBadMagicDimsAndTrailingData) {
    ScratchDir tmp;
    write_bytes(tmp / "labels-as-images", idx_header(0x00000801, {4}) + "abcd");
    std::string msg = expect_input_error([&] { read_idx(tmp / "labels-as-images", 3); });
    EXPECT_NE(msg.find("labels-as-images: bad magic number 0x00000801 (expected 0x00000803"), std::string::npos) << msg;

    write_bytes(tmp / "float-type", idx_header(0x00000D03, {1, 2, 2}) + std::string(16, '\0'));
    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "float-type", 3); }).find("bad magic"), std::string::npos);

    write_bytes(tmp / "text", "hello, this is not an IDX file at all");
    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "text", 3); }).find("bad magic"), std::string::npos);

    write_bytes(tmp / "wide", idx_header(0x00000803, {1, 5000, 2}) + std::string(10000, '\0'));
    msg = expect_input_error([&] { read_idx(tmp / "wide", 3); });
    EXPECT_NE(msg.find("5000 (must be 1..4096)"), std::string::npos) << msg;

    write_bytes(tmp / "zero", idx_header(0x00000803, {0, 2, 2}));
    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "zero", 3); }).find("no items"), std::string::npos);

    write_bytes(tmp / "extra", idx_header(0x00000801, {2}) + "abc");
    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "extra", 1); }).find("has data after"), std::string::npos);

    write_bytes(tmp / "short-header", idx_header(0x00000803, {3}));
    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "short-header", 3); }).find("truncated IDX header"),
              std::string::npos);

    EXPECT_NE(expect_input_error([&] { read_idx(tmp / "missing", 3); }).find("missing: not found"), std::string::npos);
}

TEST(DataIdx, RefusesTruncatedData) {
    ScratchDir tmp;
    const auto data = pattern(10 * 4 * 4, 3);
    const std::string full = idx_header(0x00000803, {10, 4, 4}) + std::string(data.begin(), data.end());
    write_bytes(tmp / "cut", full.substr(0, full.size() - 7));
    std::string msg = expect_input_error([&] { read_idx(tmp / "cut", 3); });
    EXPECT_NE(msg.find("cut: the header claims 10 images of 4x4 (160 bytes) but the file holds only 153 bytes"),
              std::string::npos)
        << msg;
    write_gz(tmp / "cut.gz", full.substr(0, full.size() - 7));
    msg = expect_input_error([&] { read_idx(tmp / "cut.gz", 3); });
    EXPECT_NE(msg.find("holds only 153 bytes"), std::string::npos) << msg;

    // A gzip stream cut in the middle is refused as corrupt, not read as zeros.
    write_gz(tmp / "whole.gz", full);
    const std::string gz = read_bytes(tmp / "whole.gz");
    write_bytes(tmp / "broken.gz", gz.substr(0, gz.size() / 2));
    msg = expect_input_error([&] { read_idx(tmp / "broken.gz", 3); });
    EXPECT_TRUE(msg.find("truncated") != std::string::npos || msg.find("corrupt") != std::string::npos) << msg;
}

#if defined(__SANITIZE_ADDRESS__)
#define SEQPE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEQPE_UNDER_ASAN 1
#endif
#endif
#ifndef SEQPE_UNDER_ASAN
#define SEQPE_UNDER_ASAN 0
#endif

TEST(DataIdx, HugeClaimIsRefusedWithoutAllocating) {
    ScratchDir tmp;
    // 1,000,000 images of 1000x1000 = 10^12 bytes claimed, 100 bytes present.
    const std::string lie = idx_header(0x00000803, {1000000, 1000, 1000}) + std::string(100, 'x');
    write_bytes(tmp / "lie-idx3-ubyte", lie);
    write_gz(tmp / "lie-idx3-ubyte.gz", lie);
    // 4,000 images of 1000x1000 = 4 GB claimed: would fit an allocation on a big machine, so the
    // child's address space is capped at 512 MB to prove nothing of that size is reserved.
    const std::string lie4g = idx_header(0x00000803, {4000, 1000, 1000}) + std::string(100, 'x');
    write_bytes(tmp / "lie4g", lie4g);
    write_gz(tmp / "lie4g.gz", lie4g);
    for (const char* name : {"lie-idx3-ubyte", "lie-idx3-ubyte.gz", "lie4g", "lie4g.gz"}) {
        SCOPED_TRACE(name);
        const fs::path p = tmp / name;
        const std::string msg = expect_input_error([&] { read_idx(p, 3); });
        EXPECT_NE(msg.find("the header claims"), std::string::npos) << msg;
        EXPECT_NE(msg.find("holds only 100 bytes"), std::string::npos) << msg;
#if SEQPE_UNDER_ASAN
        continue; // ASan reserves terabytes of shadow address space: no RLIMIT_AS cap (the fuzzer's
                  // -malloc_limit_mb checks the same promise under ASan)
#endif
        EXPECT_TRUE(runs_within_memory(size_t(512) << 20, [&] {
            try {
                read_idx(p, 3);
            } catch (const InputError&) {
                return true;
            }
            return false;
        }));
    }
}

TEST(DataImage, IdxFolderSplitsAndBytes) {
    ScratchDir tmp;
    const fs::path src = tmp / "my digits";
    const IdxFixture f = make_idx_folder(src, 26, 5, 5, 4, 4, /*gzip=*/true);
    ImageOptions o;
    o.source = src.string();
    o.cache = tmp / "cache";
    Reporter quiet;
    const PrepareResult r = prepare_image(o, quiet);
    const DatasetManifest& m = r.manifest;
    EXPECT_EQ(m.kind, "image");
    EXPECT_EQ(m.name, "my-digits-5x4");
    EXPECT_EQ(m.image.height, 5);
    EXPECT_EQ(m.image.width, 4);
    EXPECT_EQ(m.image.channels, 1);
    EXPECT_EQ(m.image.classes, (std::vector<std::string>{"0", "1", "2", "3"}));
    EXPECT_EQ(m.image.label_dtype, "uint8");
    EXPECT_EQ(m.sources.size(), 4u);
    // 26 training images: 11 and 23 go to valid.
    EXPECT_EQ(m.split("train")->count, 24u);
    EXPECT_EQ(m.split("valid")->count, 2u);
    EXPECT_EQ(m.split("test")->count, 5u);

    std::vector<uint8_t> want_train, want_valid, want_train_labels, want_valid_labels;
    for (size_t i = 0; i < 26; ++i) {
        auto& img = idx_is_valid(i) ? want_valid : want_train;
        auto& lab = idx_is_valid(i) ? want_valid_labels : want_train_labels;
        img.insert(img.end(), f.train_images.begin() + long(i * 20), f.train_images.begin() + long(i * 20 + 20));
        lab.push_back(f.train_labels[i]);
    }
    auto bytes = [&](const std::string& file) {
        const std::string s = read_bytes(r.dir / file);
        return std::vector<uint8_t>(s.begin(), s.end());
    };
    EXPECT_EQ(bytes("train.images"), want_train);
    EXPECT_EQ(bytes("valid.images"), want_valid);
    EXPECT_EQ(bytes("test.images"), f.test_images);
    EXPECT_EQ(bytes("train.labels"), want_train_labels);
    EXPECT_EQ(bytes("valid.labels"), want_valid_labels);
    EXPECT_EQ(bytes("test.labels"), f.test_labels);

    double sum = 0, sq = 0;
    for (uint8_t v : want_train) {
        sum += v / 255.0;
        sq += (v / 255.0) * (v / 255.0);
    }
    const double mean = sum / double(want_train.size());
    ASSERT_EQ(m.image.mean.size(), 1u);
    EXPECT_NEAR(m.image.mean[0], mean, 1e-9);
    EXPECT_NEAR(m.image.std[0], std::sqrt(sq / double(want_train.size()) - mean * mean), 1e-9);

    // Resized to 8x8: same counts, new size and name, another folder.
    o.image_size = 8;
    const PrepareResult big = prepare_image(o, quiet);
    EXPECT_EQ(big.manifest.name, "my-digits-8");
    EXPECT_EQ(big.manifest.image.height, 8);
    EXPECT_EQ(big.manifest.split("train")->count, 24u);
    EXPECT_EQ(fs::file_size(big.dir / "train.images"), 24u * 64u);
    EXPECT_NE(big.dir, r.dir);

    // Second run: cache hit.
    o.image_size = 0;
    EXPECT_TRUE(prepare_image(o, quiet).cache_hit);
}

TEST(DataImage, IdxFolderPlainFilesAndMismatches) {
    ScratchDir tmp;
    make_idx_folder(tmp / "plain", 12, 3, 3, 3, 2, /*gzip=*/false);
    Reporter quiet;
    ImageOptions o{(tmp / "plain").string(), 0, tmp / "cache", false};
    const PrepareResult r = prepare_image(o, quiet);
    EXPECT_EQ(r.manifest.split("train")->count, 11u);
    EXPECT_EQ(r.manifest.split("valid")->count, 1u);

    // Labels that do not match the images in number.
    write_idx(tmp / "plain" / "t10k-labels-idx1-ubyte", {2}, {0, 1}, false);
    std::string msg = expect_input_error([&] { prepare_image(o, quiet); });
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte: holds 2 labels but t10k-images-idx3-ubyte holds 3 images"),
              std::string::npos)
        << msg;

    // A label outside the class range (200 in a 2-class set) is refused, not 201 classes.
    write_idx(tmp / "plain" / "t10k-labels-idx1-ubyte", {3}, {0, 1, 200}, false);
    msg = expect_input_error([&] { prepare_image(o, quiet); });
    EXPECT_NE(
        msg.find("labels are not 0..N-1: 3 distinct labels up to 200 (label 2 never occurs), which would make 201 "
                 "classes; number the classes 0..2"),
        std::string::npos)
        << msg;
    // One class only.
    make_idx_folder(tmp / "one", 12, 3, 3, 3, 1, false);
    ImageOptions one{(tmp / "one").string(), 0, tmp / "cache", false};
    msg = expect_input_error([&] { prepare_image(one, quiet); });
    EXPECT_NE(msg.find("at least 2 classes"), std::string::npos) << msg;

    // A missing member of the set.
    fs::remove(tmp / "plain" / "t10k-labels-idx1-ubyte");
    msg = expect_input_error([&] { prepare_image(o, quiet); });
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte.gz: not found"), std::string::npos) << msg;
}

TEST(DataImage, ClassFoldersOfPngs) {
    ScratchDir tmp;
    const fs::path src = tmp / "shapes";
    const std::vector<std::string> classes = {"circle", "square", "triangle"};
    std::map<std::string, std::vector<cv::Mat>> images;
    for (size_t c = 0; c < classes.size(); ++c) {
        fs::create_directories(src / classes[c]);
        for (int i = 0; i < 11; ++i) {
            cv::Mat img(6, 8, CV_8UC1);
            for (int y = 0; y < 6; ++y)
                for (int x = 0; x < 8; ++x) img.at<uint8_t>(y, x) = uint8_t(c * 80 + i * 7 + y * 8 + x);
            char name[32];
            std::snprintf(name, sizeof name, "img%02d.png", i);
            ASSERT_TRUE(cv::imwrite((src / classes[c] / name).string(), img));
            images[classes[c]].push_back(img);
        }
    }
    write_bytes(src / "circle" / "notes.txt", "not an image"); // ignored
    std::ostringstream out, err;
    Reporter quiet(OutputMode::Json, out, err);
    ImageOptions o{src.string(), 0, tmp / "cache", false};
    const PrepareResult r = prepare_image(o, quiet);
    // The class count is said, as for IDX files.
    EXPECT_NE(out.str().find("found 3 classes (one per folder), 11 images each"), std::string::npos) << out.str();
    const auto& m = r.manifest;
    EXPECT_EQ(m.name, "shapes-6x8");
    EXPECT_EQ(m.image.classes, classes);
    EXPECT_EQ(m.image.height, 6);
    EXPECT_EQ(m.image.width, 8);
    EXPECT_EQ(m.image.channels, 1);
    EXPECT_EQ(m.sources.size(), 33u);
    EXPECT_EQ(m.sources[0].path, "circle/img00.png");
    // Per class: 0-4, 6-8, 10 train (9), 5 valid, 9 test.
    EXPECT_EQ(m.split("train")->count, 27u);
    EXPECT_EQ(m.split("valid")->count, 3u);
    EXPECT_EQ(m.split("test")->count, 3u);
    const std::string labels = read_bytes(r.dir / "valid.labels");
    EXPECT_EQ(labels, std::string("\x00\x01\x02", 3));
    const std::string test_px = read_bytes(r.dir / "test.images");
    ASSERT_EQ(test_px.size(), 3u * 48u);
    for (size_t c = 0; c < 3; ++c) {
        const cv::Mat& want = images[classes[c]][9];
        EXPECT_EQ(std::memcmp(test_px.data() + c * 48, want.data, 48), 0) << classes[c];
    }
    const std::string train_labels = read_bytes(r.dir / "train.labels");
    EXPECT_EQ(std::count(train_labels.begin(), train_labels.end(), '\x02'), 9);
}

TEST(DataImage, ColourClassFoldersAreRgbAndSizesMustMatch) {
    ScratchDir tmp;
    const fs::path src = tmp / "colours";
    for (const char* cls : {"a", "b"})
        for (int i = 0; i < 10; ++i) {
            cv::Mat img(4, 4, CV_8UC3, cv::Scalar(10, 20, 30 + i)); // B, G, R
            char name[32];
            std::snprintf(name, sizeof name, "%s%d.png", cls, i);
            fs::create_directories(src / cls);
            ASSERT_TRUE(cv::imwrite((src / cls / name).string(), img));
        }
    Reporter quiet;
    ImageOptions o{src.string(), 0, tmp / "cache", false};
    const PrepareResult r = prepare_image(o, quiet);
    EXPECT_EQ(r.manifest.image.channels, 3);
    const std::string px = read_bytes(r.dir / "train.images");
    ASSERT_EQ(px.size(), 16u * 4u * 4u * 3u);
    EXPECT_EQ(uint8_t(px[0]), 30); // R first
    EXPECT_EQ(uint8_t(px[1]), 20);
    EXPECT_EQ(uint8_t(px[2]), 10);
    ASSERT_EQ(r.manifest.image.mean.size(), 3u);
    EXPECT_NEAR(r.manifest.image.mean[1], 20 / 255.0, 1e-9);
    EXPECT_NEAR(r.manifest.image.std[1], 0.0, 1e-9);

    // One image of another size: refused at native size, fine with --image-size.
    ASSERT_TRUE(cv::imwrite((src / "b" / "b7.png").string(), cv::Mat(5, 4, CV_8UC3, cv::Scalar(1, 2, 3))));
    const std::string msg = expect_input_error([&] { prepare_image(o, quiet); });
    EXPECT_NE(msg.find("b7.png: is 5x4 but a/a0.png is 4x4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--image-size"), std::string::npos) << msg;
    o.image_size = 6;
    const PrepareResult resized = prepare_image(o, quiet);
    EXPECT_EQ(resized.manifest.name, "colours-6");
    EXPECT_EQ(fs::file_size(resized.dir / "train.images"), 16u * 6u * 6u * 3u);

    // A file that is not an image, named like one.
    write_bytes(src / "a" / "a3.png", "garbage");
    EXPECT_NE(expect_input_error([&] { prepare_image(o, quiet); }).find("a3.png: cannot decode"), std::string::npos);
}

TEST(DataImage, FolderProblemsAreInputErrors) {
    ScratchDir tmp;
    Reporter quiet;
    fs::create_directories(tmp / "flat");
    write_bytes(tmp / "flat" / "x.png", "x");
    ImageOptions o{(tmp / "flat").string(), 0, tmp / "cache", false};
    EXPECT_NE(expect_input_error([&] { prepare_image(o, quiet); }).find("neither an IDX set"), std::string::npos);

    fs::create_directories(tmp / "few" / "a");
    fs::create_directories(tmp / "few" / "b");
    for (int i = 0; i < 3; ++i)
        cv::imwrite((tmp / "few" / "a" / (std::to_string(i) + ".png")).string(), cv::Mat(2, 2, CV_8UC1, cv::Scalar(i)));
    cv::imwrite((tmp / "few" / "b" / "0.png").string(), cv::Mat(2, 2, CV_8UC1, cv::Scalar(9)));
    o.source = (tmp / "few").string();
    EXPECT_NE(expect_input_error([&] { prepare_image(o, quiet); }).find("valid split would be empty"),
              std::string::npos);

    ::setenv("SEQPE_FASHION_MNIST_DIR", (tmp / "nowhere").c_str(), 1);
    o.source = "fashion-mnist";
    const std::string msg = expect_input_error([&] { prepare_image(o, quiet); });
    ::unsetenv("SEQPE_FASHION_MNIST_DIR");
    EXPECT_NE(msg.find("install dataset-fashion-mnist"), std::string::npos) << msg;
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets").empty());
}

TEST(DataImage, FashionMnistFromDebian) {
    if (!fs::exists(fashion_mnist_dir() / "train-images-idx3-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist not installed";
    ScratchDir tmp;
    Reporter quiet;
    ImageOptions o;
    o.cache = tmp / "cache";
    const PrepareResult r = prepare_image(o, quiet);
    const auto& m = r.manifest;
    EXPECT_EQ(m.name, "fashion-mnist-28");
    EXPECT_EQ(m.source, "fashion-mnist");
    EXPECT_EQ(m.split("train")->count, 55000u);
    EXPECT_EQ(m.split("valid")->count, 5000u);
    EXPECT_EQ(m.split("test")->count, 10000u);
    EXPECT_EQ(m.image.classes.size(), 10u);
    EXPECT_EQ(m.image.classes[0], "T-shirt/top");
    EXPECT_EQ(m.image.classes[9], "Ankle boot");
    EXPECT_EQ(m.image.height, 28);
    EXPECT_EQ(m.image.channels, 1);
    // 6000 per class over train + valid.
    std::vector<int> per(10, 0);
    for (const char* s : {"train.labels", "valid.labels"})
        for (const char c : read_bytes(r.dir / s)) ++per[size_t(uint8_t(c))];
    for (int c = 0; c < 10; ++c) EXPECT_EQ(per[size_t(c)], 6000) << c;
    EXPECT_NEAR(m.image.mean[0], 0.286, 0.002); // the well-known Fashion-MNIST mean
}

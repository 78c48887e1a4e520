// Image datasets: IDX sets (Fashion-MNIST and any MNIST-format folder) and class folders.
#include "seqpe/data/image.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/version.h"
#include "seqpe/data/idx.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace seqpe::data {

namespace {

const char* const kIdxSplitRuleId = "image-idx-mod12/1";
const char* const kIdxSplitRule =
    "Images of the training file are numbered from 0 in file order; image i goes to valid when i mod 12 = 11 "
    "and to train otherwise. The test split is the whole t10k file.";
const char* const kFolderSplitRuleId = "image-folder-mod10/1";
const char* const kFolderSplitRule =
    "Within each class folder, image files are sorted by relative path and numbered from 0; image i goes to "
    "valid when i mod 10 = 5, to test when i mod 10 = 9, and to train otherwise.";

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

const std::vector<std::string> kImageExts = {".png", ".jpg", ".jpeg", ".bmp",  ".pgm", ".ppm",
                                             ".pbm", ".pnm", ".tif",  ".tiff", ".webp"};

struct IdxSet {
    fs::path train_images, train_labels, test_images, test_labels;
};

// The four files of an MNIST-format folder: "<stem>", "<stem>.gz", or the dotted variant
// ("train-images.idx3-ubyte") of either.
std::optional<IdxSet> find_idx_set(const fs::path& dir) {
    const std::array<std::string, 4> stems = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                              "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    std::array<fs::path, 4> found;
    int count = 0;
    for (size_t k = 0; k < 4; ++k) {
        std::string dotted = stems[k];
        dotted[dotted.find("-idx")] = '.';
        for (const std::string& c : {stems[k], stems[k] + ".gz", dotted, dotted + ".gz"}) {
            std::error_code ec;
            if (fs::is_regular_file(dir / c, ec)) {
                found[k] = dir / c;
                ++count;
                break;
            }
        }
    }
    if (count == 0) return std::nullopt;
    if (count < 4) {
        for (size_t k = 0; k < 4; ++k)
            if (found[k].empty())
                throw InputError((dir / (stems[k] + ".gz")).string() +
                                 ": not found (nor without .gz); an IDX folder needs all four files "
                                 "(train/t10k images and labels)");
    }
    return IdxSet{found[0], found[1], found[2], found[3]};
}

std::string size_text(int h, int w) {
    return h == w ? std::to_string(h) : std::to_string(h) + "x" + std::to_string(w);
}

int interpolation(int from_h, int from_w, int to_h, int to_w) {
    return int64_t(to_h) * to_w < int64_t(from_h) * from_w ? cv::INTER_AREA : cv::INTER_LINEAR;
}

// Split buffers of one dataset under construction.
struct SplitData {
    std::string name;
    std::vector<uint8_t> pixels;
    std::vector<uint16_t> labels;
};

void compute_mean_std(const SplitData& train, int channels, std::vector<double>& mean, std::vector<double>& sd) {
    std::vector<double> sum(size_t(channels), 0.0), sq(size_t(channels), 0.0);
    std::vector<uint64_t> hist(256 * size_t(channels), 0);
    const size_t n = train.pixels.size();
    for (size_t i = 0; i < n; ++i) ++hist[(i % size_t(channels)) * 256 + train.pixels[i]];
    const double per = double(n / size_t(channels));
    mean.assign(size_t(channels), 0.0);
    sd.assign(size_t(channels), 0.0);
    for (int c = 0; c < channels; ++c) {
        for (int v = 0; v < 256; ++v) {
            const double x = v / 255.0;
            const double k = double(hist[size_t(c) * 256 + size_t(v)]);
            sum[size_t(c)] += k * x;
            sq[size_t(c)] += k * x * x;
        }
        if (per > 0) {
            const double m = sum[size_t(c)] / per;
            mean[size_t(c)] = m;
            sd[size_t(c)] = std::sqrt(std::max(0.0, sq[size_t(c)] / per - m * m));
        }
    }
}

struct Built {
    std::vector<SplitData> splits; // train, valid, test
    int height = 0, width = 0, channels = 1;
    std::vector<std::string> classes;
};

PrepareResult write_dataset(CacheEntry& entry, bool force, Built& b, DatasetManifest m, Reporter& rep) {
    const fs::path& final_dir = entry.dir();
    rep.stage("write", "writing the split files");
    make_dirs(final_dir.parent_path());
    TempDir tmp(final_dir);
    const bool wide = b.classes.size() > 256;
    for (SplitData& s : b.splits) {
        throw_if_cancelled();
        SplitInfo info;
        info.name = s.name;
        info.count = s.labels.size();
        info.file = s.name + ".images";
        info.labels_file = s.name + ".labels";
        write_file_atomic(tmp.path() / info.file,
                          std::string_view(reinterpret_cast<const char*>(s.pixels.data()), s.pixels.size()));
        std::string labels;
        if (wide) {
            labels.resize(s.labels.size() * 2);
            std::memcpy(labels.data(), s.labels.data(), labels.size()); // little-endian host (token_file.h)
        } else {
            for (const uint16_t l : s.labels) labels.push_back(static_cast<char>(l));
        }
        write_file_atomic(tmp.path() / info.labels_file, labels);
        m.splits.push_back(std::move(info));
    }
    entry.stamp(m, "image");
    m.image.height = b.height;
    m.image.width = b.width;
    m.image.channels = b.channels;
    m.image.classes = b.classes;
    m.image.label_dtype = wide ? "uint16" : "uint8";
    compute_mean_std(b.splits[0], b.channels, m.image.mean, m.image.std);
    write_manifest(tmp.path(), m);
    return entry.publish(tmp, force);
}

std::vector<SourceInfo> hash_sources(const fs::path& root, const std::vector<fs::path>& rels, Reporter& rep) {
    rep.stage("hash", "hashing " + std::to_string(rels.size()) + " source files under " + root.string());
    std::vector<SourceInfo> out;
    for (size_t i = 0; i < rels.size(); ++i) {
        throw_if_cancelled();
        const fs::path p = root / rels[i];
        std::error_code ec;
        const uint64_t bytes = fs::file_size(p, ec);
        out.push_back({rels[i].generic_string(), sha256_file(p), ec ? 0 : bytes});
        rep.progress("hash", i + 1, rels.size());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> image_recipe(int h, int w, const char* rule_id,
                                                              const std::string& layout) {
    return {{"format", kDatasetFormat},
            {"kind", "image"},
            {"tokenizer", "none"},
            {"vocab_size", "0"},
            {"image_size", size_text(h, w)},
            {"split_rule", rule_id},
            {"tool_version", kToolVersion},
            {"layout", layout},
            {"resize", "opencv INTER_AREA to shrink, INTER_LINEAR to enlarge"}};
}

// ---------------------------------------------------------------- IDX
PrepareResult prepare_idx(const IdxSet& set, const fs::path& root, const std::string& base, const std::string& label,
                          bool fashion, const ImageOptions& o, const fs::path& cache, Reporter& rep) {
    const IdxHeader ti = read_idx_header(set.train_images, 3);
    const IdxHeader tl = read_idx_header(set.train_labels, 1);
    const IdxHeader vi = read_idx_header(set.test_images, 3);
    const IdxHeader vl = read_idx_header(set.test_labels, 1);
    if (ti.dims[0] != tl.dims[0])
        throw InputError(set.train_labels.string() + ": holds " + std::to_string(tl.dims[0]) + " labels but " +
                         set.train_images.filename().string() + " holds " + std::to_string(ti.dims[0]) +
                         " images; use matching files");
    if (vi.dims[0] != vl.dims[0])
        throw InputError(set.test_labels.string() + ": holds " + std::to_string(vl.dims[0]) + " labels but " +
                         set.test_images.filename().string() + " holds " + std::to_string(vi.dims[0]) +
                         " images; use matching files");
    if (ti.dims[1] != vi.dims[1] || ti.dims[2] != vi.dims[2])
        throw InputError(set.test_images.string() + ": images are " + std::to_string(vi.dims[1]) + "x" +
                         std::to_string(vi.dims[2]) + " but the training images are " + std::to_string(ti.dims[1]) +
                         "x" + std::to_string(ti.dims[2]) + "; use files of one dataset");
    if (ti.dims[0] < 12)
        throw InputError(set.train_images.string() + ": only " + std::to_string(ti.dims[0]) +
                         " training images; the valid split takes every 12th, so at least 12 are needed");
    const int rows = int(ti.dims[1]), cols = int(ti.dims[2]);
    const int H = o.image_size > 0 ? o.image_size : rows;
    const int W = o.image_size > 0 ? o.image_size : cols;

    std::vector<fs::path> rels;
    for (const fs::path* p : {&set.train_images, &set.train_labels, &set.test_images, &set.test_labels})
        rels.push_back(p->lexically_relative(root));
    const auto sources = hash_sources(root, rels, rep);
    const std::string name = base + "-" + size_text(H, W);
    const std::string hash =
        recipe_hash(image_recipe(H, W, kIdxSplitRuleId, fashion ? "idx fashion-mnist" : "idx"), sources);
    CacheEntry entry(cache, name, hash);
    if (auto hit = entry.lookup(o.force, rep)) return std::move(*hit);

    rep.stage("load", "reading the IDX files (" + std::to_string(ti.dims[0]) + " train, " + std::to_string(vi.dims[0]) +
                          " test images of " + std::to_string(rows) + "x" + std::to_string(cols) + ")");
    const IdxArray train_images = read_idx(set.train_images, 3);
    const IdxArray train_labels = read_idx(set.train_labels, 1);
    const IdxArray test_images = read_idx(set.test_images, 3);
    const IdxArray test_labels = read_idx(set.test_labels, 1);
    uint16_t max_label = 0;
    for (const IdxArray* l : {&train_labels, &test_labels})
        for (const uint8_t v : l->data) max_label = std::max<uint16_t>(max_label, v);
    Built b;
    b.height = H;
    b.width = W;
    b.channels = 1;
    if (fashion) {
        if (max_label >= kFashionClasses.size())
            throw InputError(set.train_labels.string() + ": label " + std::to_string(max_label) +
                             " is not a Fashion-MNIST class (0..9); reinstall dataset-fashion-mnist");
        b.classes = kFashionClasses;
    } else {
        // Classes are 0..max label: every one of them must occur, or a stray label (200 in a
        // 10-class set) would silently give the model 201 classes.
        std::vector<uint8_t> seen(size_t(max_label) + 1, 0);
        for (const IdxArray* l : {&train_labels, &test_labels})
            for (const uint8_t v : l->data) seen[v] = 1;
        const int distinct = int(std::count(seen.begin(), seen.end(), uint8_t(1)));
        if (distinct != max_label + 1) {
            int missing = -1;
            for (int c = 0; c <= max_label && missing < 0; ++c)
                if (!seen[size_t(c)]) missing = c;
            throw InputError(set.train_labels.string() + ": labels are not 0..N-1: " + std::to_string(distinct) +
                             " distinct labels up to " + std::to_string(max_label) + " (label " +
                             std::to_string(missing) + " never occurs), which would make " +
                             std::to_string(max_label + 1) + " classes; number the classes 0.." +
                             std::to_string(distinct - 1));
        }
        if (max_label < 1)
            throw InputError(set.train_labels.string() +
                             ": every image has label 0; a classifier needs at least 2 classes");
        for (int c = 0; c <= max_label; ++c) b.classes.push_back(std::to_string(c));
    }
    rep.log("info", "found " + std::to_string(b.classes.size()) + " classes");
    b.splits = {{"train", {}, {}}, {"valid", {}, {}}, {"test", {}, {}}};
    const size_t in_px = size_t(rows) * size_t(cols);
    const size_t out_px = size_t(H) * size_t(W);
    const bool resize = H != rows || W != cols;
    const int interp = interpolation(rows, cols, H, W);
    const uint64_t total = ti.dims[0] + uint64_t(vi.dims[0]);
    uint64_t done = 0;
    rep.stage(resize ? "resize" : "split", resize ? "resizing to " + size_text(H, W) + " and splitting" : "splitting");
    auto add = [&](SplitData& s, const uint8_t* img, uint8_t lab) {
        const size_t at = s.pixels.size();
        s.pixels.resize(at + out_px);
        if (resize) {
            const cv::Mat src(rows, cols, CV_8UC1, const_cast<uint8_t*>(img));
            cv::Mat dst(H, W, CV_8UC1, s.pixels.data() + at);
            cv::resize(src, dst, dst.size(), 0, 0, interp);
        } else {
            std::memcpy(s.pixels.data() + at, img, in_px);
        }
        s.labels.push_back(lab);
        if ((++done & 1023) == 0 || done == total) {
            throw_if_cancelled();
            rep.progress(resize ? "resize" : "split", done, total);
        }
    };
    const size_t ntrain = ti.dims[0];
    b.splits[0].pixels.reserve((ntrain - ntrain / 12) * out_px);
    b.splits[1].pixels.reserve((ntrain / 12 + 1) * out_px);
    b.splits[2].pixels.reserve(size_t(vi.dims[0]) * out_px);
    for (size_t i = 0; i < ntrain; ++i)
        add(b.splits[idx_is_valid(i) ? 1 : 0], train_images.data.data() + i * in_px, train_labels.data[i]);
    for (size_t i = 0; i < vi.dims[0]; ++i) add(b.splits[2], test_images.data.data() + i * in_px, test_labels.data[i]);

    DatasetManifest m;
    m.source = label;
    m.split_rule = kIdxSplitRule;
    m.sources = sources;
    m.extra_json = nlohmann::json{{"source_root", root.string()},
                                  {"native_size", {rows, cols}},
                                  {"resized", resize},
                                  {"layout", "N x H x W x C, uint8, row-major"}}
                       .dump();
    return write_dataset(entry, o.force, b, std::move(m), rep);
}

// ---------------------------------------------------------------- class folders
struct ClassFiles {
    std::string name;
    std::vector<fs::path> rels; // relative to the class folder, sorted
};

// Decodes one image to 8-bit, 1 or 3 channels (BGR); throws InputError naming it.
cv::Mat load_image(const fs::path& p) {
    cv::Mat m = cv::imread(p.string(), cv::IMREAD_UNCHANGED);
    if (m.empty()) throw InputError(p.string() + ": cannot decode this image; remove it or convert it to PNG");
    if (m.depth() == CV_16U) {
        cv::Mat t;
        m.convertTo(t, CV_8U, 1.0 / 257.0);
        m = t;
    } else if (m.depth() != CV_8U) {
        throw InputError(p.string() + ": unsupported pixel depth (only 8- and 16-bit images); convert it to 8-bit PNG");
    }
    if (m.channels() == 4) {
        cv::Mat t;
        cv::cvtColor(m, t, cv::COLOR_BGRA2BGR);
        m = t;
    } else if (m.channels() == 2) {
        cv::Mat t;
        cv::extractChannel(m, t, 0);
        m = t;
    } else if (m.channels() != 1 && m.channels() != 3) {
        throw InputError(p.string() + ": " + std::to_string(m.channels()) +
                         " channels are not supported; convert it to RGB or grayscale");
    }
    return m;
}

PrepareResult prepare_folder(const fs::path& root, const std::string& base, const ImageOptions& o,
                             const fs::path& cache, Reporter& rep) {
    std::vector<ClassFiles> classes;
    {
        std::error_code ec;
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(root, ec)) {
            const std::string n = e.path().filename().string();
            if (!n.empty() && n[0] != '.' && e.is_directory(ec)) names.push_back(n);
        }
        if (ec) throw InputError(root.string() + ": cannot list (" + ec.message() + ")");
        std::sort(names.begin(), names.end());
        for (const auto& n : names) classes.push_back({n, list_files_recursive(root / n, kImageExts)});
    }
    if (classes.empty())
        throw InputError(root.string() +
                         ": neither an IDX set (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                         "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]) nor a folder with one sub-folder "
                         "of images per class; pass --source fashion-mnist or such a folder");
    if (classes.size() < 2)
        throw InputError(root.string() + ": only one class folder (" + classes[0].name +
                         "); classification needs at least 2 sub-folders, one per class");
    if (classes.size() > 65535)
        throw InputError(root.string() + ": " + std::to_string(classes.size()) +
                         " class folders; at most 65535 are supported");
    std::vector<fs::path> rels;
    for (const auto& c : classes) {
        if (c.rels.empty())
            throw InputError((root / c.name).string() +
                             ": no image files (.png, .jpg, .bmp, .pgm, .tif, .webp); add images or remove the folder");
        for (const auto& r : c.rels) rels.push_back(fs::path(c.name) / r);
    }
    {
        // The class count and the smallest and largest class, as the IDX reader says how many it found.
        size_t lo = SIZE_MAX, hi = 0;
        for (const auto& c : classes) lo = std::min(lo, c.rels.size()), hi = std::max(hi, c.rels.size());
        rep.log("info", "found " + std::to_string(classes.size()) + " classes (one per folder), " + std::to_string(lo) +
                            (lo == hi ? "" : " to " + std::to_string(hi)) + " images each");
    }
    std::array<size_t, 3> counts{};
    for (const auto& c : classes)
        for (size_t i = 0; i < c.rels.size(); ++i) ++counts[size_t(folder_split_of(i))];
    for (int s = 0; s < 3; ++s)
        if (counts[size_t(s)] == 0)
            throw InputError(root.string() + ": the " +
                             std::string(s == 0   ? "train"
                                         : s == 1 ? "valid"
                                                  : "test") +
                             " split would be empty (image i of each class goes to valid when i mod 10 = 5 and to "
                             "test when i mod 10 = 9, so some class needs at least 10 images); add images");

    // Native size from the first image.
    const fs::path first = root / rels.front();
    const cv::Mat probe = load_image(first);
    const int H = o.image_size > 0 ? o.image_size : probe.rows;
    const int W = o.image_size > 0 ? o.image_size : probe.cols;
    if (H > kMaxImageSize || W > kMaxImageSize)
        throw InputError(first.string() + ": " + std::to_string(probe.rows) + "x" + std::to_string(probe.cols) +
                         " is larger than " + std::to_string(kMaxImageSize) + "; pass --image-size N to resize");

    const auto sources = hash_sources(root, rels, rep);
    const std::string name = base + "-" + size_text(H, W);
    const std::string hash = recipe_hash(image_recipe(H, W, kFolderSplitRuleId, "class folders"), sources);
    CacheEntry entry(cache, name, hash);
    if (auto hit = entry.lookup(o.force, rep)) return std::move(*hit);

    // Decode everything as 3-channel RGB; store as 1 channel when every image is gray.
    rep.stage("load", "decoding " + std::to_string(rels.size()) + " images of " + std::to_string(classes.size()) +
                          " classes" + (o.image_size > 0 ? " and resizing them to " + size_text(H, W) : ""));
    Built b;
    b.height = H;
    b.width = W;
    b.splits = {{"train", {}, {}}, {"valid", {}, {}}, {"test", {}, {}}};
    bool all_gray = true;
    const size_t px = size_t(H) * size_t(W);
    uint64_t done = 0;
    for (size_t c = 0; c < classes.size(); ++c) {
        b.classes.push_back(classes[c].name);
        for (size_t i = 0; i < classes[c].rels.size(); ++i) {
            throw_if_cancelled();
            const fs::path p = root / classes[c].name / classes[c].rels[i];
            cv::Mat img = load_image(p);
            if (o.image_size == 0 && (img.rows != H || img.cols != W))
                throw InputError(p.string() + ": is " + std::to_string(img.rows) + "x" + std::to_string(img.cols) +
                                 " but " + rels.front().generic_string() + " is " + std::to_string(H) + "x" +
                                 std::to_string(W) +
                                 "; pass --image-size N to resize all images, or make them one size");
            if (img.rows != H || img.cols != W) {
                cv::Mat t;
                cv::resize(img, t, cv::Size(W, H), 0, 0, interpolation(img.rows, img.cols, H, W));
                img = t;
            }
            cv::Mat rgb;
            if (img.channels() == 1) {
                cv::cvtColor(img, rgb, cv::COLOR_GRAY2RGB);
            } else {
                cv::cvtColor(img, rgb, cv::COLOR_BGR2RGB);
                if (all_gray) {
                    std::vector<cv::Mat> ch;
                    cv::split(img, ch);
                    all_gray = cv::countNonZero(ch[0] != ch[1]) == 0 && cv::countNonZero(ch[1] != ch[2]) == 0;
                }
            }
            if (!rgb.isContinuous()) rgb = rgb.clone();
            SplitData& s = b.splits[size_t(folder_split_of(i))];
            s.pixels.insert(s.pixels.end(), rgb.data, rgb.data + px * 3);
            s.labels.push_back(static_cast<uint16_t>(c));
            rep.progress("load", ++done, rels.size());
        }
    }
    b.channels = all_gray ? 1 : 3;
    if (all_gray)
        for (SplitData& s : b.splits) {
            for (size_t k = 0; k * 3 < s.pixels.size(); ++k) s.pixels[k] = s.pixels[k * 3];
            s.pixels.resize(s.pixels.size() / 3);
            s.pixels.shrink_to_fit();
        }
    rep.log("info", std::string("stored as ") + (all_gray ? "grayscale (1 channel)" : "RGB (3 channels)"));

    DatasetManifest m;
    m.source = root.string();
    m.split_rule = kFolderSplitRule;
    m.sources = sources;
    m.extra_json = nlohmann::json{{"source_root", root.string()},
                                  {"native_size", {probe.rows, probe.cols}},
                                  {"resized", o.image_size > 0},
                                  {"layout", "N x H x W x C, uint8, row-major, RGB order"}}
                       .dump();
    return write_dataset(entry, o.force, b, std::move(m), rep);
}

} // namespace

fs::path fashion_mnist_dir() {
    if (const char* e = std::getenv("SEQPE_FASHION_MNIST_DIR"); e && *e) return e;
    return "/usr/share/datasets/fashion-mnist";
}

bool idx_is_valid(size_t index) {
    return index % 12 == 11;
}

int folder_split_of(size_t index) {
    if (index % 10 == 5) return 1;
    if (index % 10 == 9) return 2;
    return 0;
}

PrepareResult prepare_image(const ImageOptions& o, Reporter& rep) {
    if (o.image_size < 0 || o.image_size > kMaxImageSize)
        throw InputError("--image-size " + std::to_string(o.image_size) + " is out of range; use 0 (native) or 1.." +
                         std::to_string(kMaxImageSize));
    const fs::path cache = resolve_cache(o.cache);
    const std::string source = (o.source.empty() || o.source == "auto") ? "fashion-mnist" : o.source;
    if (source == "fashion-mnist") {
        const fs::path dir = fashion_mnist_dir();
        IdxSet set{dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz",
                   dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz"};
        for (const fs::path* p : {&set.train_images, &set.train_labels, &set.test_images, &set.test_labels}) {
            std::error_code ec;
            if (!fs::is_regular_file(*p, ec))
                throw InputError(p->string() + ": not found; install dataset-fashion-mnist (scripts/install-deps.sh)");
        }
        return prepare_idx(set, dir, "fashion-mnist", "fashion-mnist", true, o, cache, rep);
    }
    std::error_code ec;
    const fs::path root = fs::absolute(fs::path(source), ec).lexically_normal();
    if (!fs::exists(root, ec))
        throw InputError(source +
                         ": not found; pass --source fashion-mnist, an IDX folder or a folder of class folders");
    if (!fs::is_directory(root, ec))
        throw InputError(source +
                         ": not a directory; pass --source fashion-mnist, an IDX folder or a folder of class folders");
    const std::string base = sanitize_name(folder_base_name(root));
    if (const auto set = find_idx_set(root)) return prepare_idx(*set, root, base, root.string(), false, o, cache, rep);
    return prepare_folder(root, base, o, cache, rep);
}

} // namespace seqpe::data

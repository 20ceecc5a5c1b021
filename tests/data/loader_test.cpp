// The loader against a sequential reference built from direct calls, for 0, 1 and 3 workers;
// epoch restarts, error propagation and shutdown with work in flight.
#include <advbn/data/loader.h>
#include <advbn/data/random.h>
#include <advbn/error.h>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

namespace advbn::data {
namespace {

// Images of varying sizes and content, generated on demand; get() of `failing` throws.
class SyntheticDataset final : public Dataset {
 public:
  explicit SyntheticDataset(size_t size, size_t failing = SIZE_MAX) : size_(size), failing_(failing) {}
  size_t size() const override { return size_; }
  Sample get(size_t index) const override {
    if (index == failing_) throw Error("synthetic image " + std::to_string(index) + " is unreadable");
    const int rows = 20 + static_cast<int>(index % 7) * 3;
    const int cols = 24 + static_cast<int>(index % 5) * 4;
    cv::Mat image(rows, cols, index % 3 == 0 ? CV_8UC1 : CV_8UC3);
    for (int y = 0; y < rows; ++y) {
      for (int i = 0; i < cols * image.channels(); ++i) {
        image.ptr<uint8_t>(y)[i] = static_cast<uint8_t>(splitmix64(index * 100003 + y * 1009 + i));
      }
    }
    return {image, static_cast<int64_t>(index % 4)};
  }
  int64_t num_classes() const override { return 4; }
  std::string description() const override { return "synthetic (" + std::to_string(size_) + " images)"; }

 private:
  size_t size_;
  size_t failing_;
};

// What the loader must produce for one epoch, computed sequentially from the public pieces.
std::vector<Batch> reference_epoch(const Dataset& data, const Pipeline& pipeline,
                                   const LoaderOptions& options, int64_t epoch) {
  const auto order = epoch_order(data.size(), options.shuffle, options.seed, epoch);
  std::vector<Batch> batches;
  for (size_t begin = 0; begin < order.size(); begin += options.batch_size) {
    const size_t end = std::min(order.size(), begin + options.batch_size);
    if (options.drop_last && end - begin < options.batch_size) break;
    Batch batch;
    std::vector<torch::Tensor> images;
    std::vector<int64_t> labels;
    for (size_t i = begin; i < end; ++i) {
      const auto sample = data.get(order[i]);
      std::mt19937_64 rng(sample_seed(options.seed, epoch, order[i]));
      images.push_back(pipeline.apply(sample.image, order[i], rng));
      labels.push_back(sample.label);
      batch.indices.push_back(order[i]);
    }
    batch.images = torch::stack(images);
    batch.labels = torch::tensor(labels, torch::kInt64);
    batches.push_back(batch);
  }
  return batches;
}

void expect_epoch_matches(Loader& loader, const std::vector<Batch>& reference) {
  for (const auto& expected : reference) {
    const auto batch = loader.next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->indices, expected.indices);
    EXPECT_TRUE(torch::equal(batch->labels, expected.labels));
    ASSERT_EQ(batch->images.sizes(), expected.images.sizes());
    EXPECT_TRUE(torch::equal(batch->images, expected.images));
  }
  EXPECT_FALSE(loader.next().has_value());
}

TEST(Loader, EqualsTheSequentialReferenceForAnyWorkerCount) {
  const auto data = std::make_shared<SyntheticDataset>(23);
  const auto pipeline = train_pipeline(Augmentation::AutoAugment, 16, false, imagenet_normalization());
  for (const int workers : {0, 1, 3}) {
    SCOPED_TRACE("workers = " + std::to_string(workers));
    LoaderOptions options;
    options.batch_size = 5;
    options.workers = workers;
    options.prefetch_batches = 1;
    options.seed = 77;
    Loader loader(data, pipeline, options);
    EXPECT_EQ(loader.batches_per_epoch(), 5u);
    for (const int64_t epoch : {0, 1}) {
      loader.start_epoch(epoch);
      expect_epoch_matches(loader, reference_epoch(*data, pipeline, options, epoch));
    }
  }
}

TEST(Loader, RecyclesOnlyBatchesNobodyHolds) {
  const auto data = std::make_shared<SyntheticDataset>(40);
  const auto pipeline = train_pipeline(Augmentation::Basic, 16, false, imagenet_normalization());
  LoaderOptions options;
  options.batch_size = 4;
  options.workers = 2;
  options.prefetch_batches = 1;
  Loader loader(data, pipeline, options);
  for (const int64_t epoch : {0, 1}) {
    // All ten batches held at once: more than the pool keeps, none may be overwritten.
    loader.start_epoch(epoch);
    std::vector<Batch> held;
    while (auto batch = loader.next()) held.push_back(*batch);
    const auto expected = reference_epoch(*data, pipeline, options, epoch);
    ASSERT_EQ(held.size(), expected.size());
    for (size_t i = 0; i < held.size(); ++i) EXPECT_TRUE(torch::equal(held[i].images, expected[i].images)) << i;
  }
  // A view outlives its batch: its storage must not be recycled either.
  loader.start_epoch(2);
  const torch::Tensor first_image = loader.next()->images[0];
  const auto kept = first_image.clone();
  while (loader.next()) {
  }
  EXPECT_TRUE(torch::equal(first_image, kept));
}

TEST(Loader, EpochsDifferAndOrderCoversTheDataset) {
  auto first = epoch_order(100, true, 5, 0);
  const auto second = epoch_order(100, true, 5, 1);
  EXPECT_NE(first, second);
  EXPECT_EQ(first, epoch_order(100, true, 5, 0));
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, epoch_order(100, false, 5, 0));
}

TEST(Loader, AbandonedEpochAndDropLast) {
  const auto data = std::make_shared<SyntheticDataset>(17);
  const auto pipeline = train_pipeline(Augmentation::Basic, 12, true, imagenet_normalization());
  LoaderOptions options;
  options.batch_size = 4;
  options.drop_last = true;
  options.workers = 3;
  options.prefetch_batches = 2;
  options.seed = 3;
  Loader loader(data, pipeline, options);
  EXPECT_EQ(loader.batches_per_epoch(), 4u);
  loader.start_epoch(0);
  ASSERT_TRUE(loader.next().has_value());
  loader.start_epoch(1);  // abandons epoch 0 with batches in flight
  expect_epoch_matches(loader, reference_epoch(*data, pipeline, options, 1));
  loader.start_epoch(2);
  ASSERT_TRUE(loader.next().has_value());
  // The destructor stops the workers while epoch 2 is still being prefetched.
}

TEST(Loader, RethrowsWorkerErrorsInOrderAndGoesOn) {
  const auto data = std::make_shared<SyntheticDataset>(12, 6);
  const auto pipeline = eval_pipeline(8, true, imagenet_normalization());
  for (const int workers : {0, 2}) {
    LoaderOptions options;
    options.batch_size = 4;
    options.shuffle = false;
    options.workers = workers;
    Loader loader(data, pipeline, options);
    loader.start_epoch(0);
    EXPECT_TRUE(loader.next().has_value());
    try {
      loader.next();
      ADD_FAILURE() << "expected the unreadable image's error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("image 6"), std::string::npos);
    }
    const auto last = loader.next();
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->indices, (std::vector<size_t>{8, 9, 10, 11}));
    EXPECT_FALSE(loader.next().has_value());
  }
}

TEST(Loader, ShardsTogetherDeliverTheSingleProcessBatches) {
  const auto data = std::make_shared<SyntheticDataset>(23);
  const auto pipeline = train_pipeline(Augmentation::Basic, 12, true, imagenet_normalization());
  LoaderOptions whole;
  whole.batch_size = 6;
  whole.drop_last = true;
  whole.seed = 9;
  const auto expected = reference_epoch(*data, pipeline, whole, 2);
  std::vector<std::vector<Batch>> shards;
  for (int shard = 0; shard < 3; ++shard) {
    LoaderOptions options = whole;
    options.batch_size = 2;
    options.workers = shard;  // the thread count must not matter
    options.shard_index = shard;
    options.shard_count = 3;
    Loader loader(data, pipeline, options);
    EXPECT_EQ(loader.shard_size(), 7u);  // 23 images: 2 dropped so that the shards stay equal
    ASSERT_EQ(loader.batches_per_epoch(), expected.size());
    loader.start_epoch(2);
    shards.emplace_back();
    while (auto batch = loader.next()) shards.back().push_back(*batch);
  }
  for (size_t step = 0; step < expected.size(); ++step) {
    std::map<size_t, torch::Tensor> images;
    for (const auto& shard : shards) {
      for (size_t i = 0; i < shard[step].indices.size(); ++i) images[shard[step].indices[i]] = shard[step].images[i];
    }
    ASSERT_EQ(images.size(), expected[step].indices.size());
    for (size_t i = 0; i < expected[step].indices.size(); ++i) {
      const auto found = images.find(expected[step].indices[i]);
      ASSERT_NE(found, images.end()) << "step " << step;
      EXPECT_TRUE(torch::equal(found->second, expected[step].images[i]));
    }
  }
}

TEST(Loader, ShardsWithoutDropLastCoverEveryImageOnce) {
  const auto order = epoch_order(10, true, 1, 0);
  std::vector<size_t> seen;
  for (int shard = 0; shard < 4; ++shard) {
    const auto part = shard_of(order, shard, 4, /*equal_shards=*/false);
    EXPECT_EQ(part.size(), shard < 2 ? 3u : 2u);
    seen.insert(seen.end(), part.begin(), part.end());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, epoch_order(10, false, 1, 0));
}

TEST(Loader, RejectsInvalidOptions) {
  const auto data = std::make_shared<SyntheticDataset>(3);
  const auto pipeline = eval_pipeline(8, true, imagenet_normalization());
  LoaderOptions options;
  options.batch_size = 0;
  EXPECT_THROW(Loader(data, pipeline, options), Error);
  options.batch_size = 4;
  options.drop_last = true;
  EXPECT_THROW(Loader(data, pipeline, options), Error);
  options.drop_last = false;
  options.prefetch_batches = 0;
  EXPECT_THROW(Loader(data, pipeline, options), Error);
  options.prefetch_batches = 1;
  options.shard_index = 2;
  options.shard_count = 2;
  EXPECT_THROW(Loader(data, pipeline, options), Error);
  options.shard_index = 0;
  Loader loader(data, pipeline, options);
  EXPECT_THROW(loader.next(), Error);  // before start_epoch
}

}  // namespace
}  // namespace advbn::data

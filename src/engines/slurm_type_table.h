// The GRES types a dynamic-MIG SLURM node can offer, and back: every MIG
// profile and the whole GPU of every catalog model, named as
// slurm_gres_type.h names them from the model's catalog product name
// ("a100_3g.39gb", "a100-sxm4-80gb"). Slurm's names can join models: an
// A100-40GB 1g.10gb and an A100-80GB 1g.10gb are both "a100_1g.10gb", so a
// type lists every (model, profile) that offers it. A "+me" profile shares
// its base profile's type and is never chosen for it (media engines are not
// what a SLURM job asks for by this type).
// Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engines/slurm_gres_type.h"
#include "geometry/catalog.h"

namespace migsched::engines {

struct SlurmType {
  struct Offer {
    const geometry::GpuModel* model = nullptr;
    const geometry::GiProfile* profile = nullptr;  // nullptr: the whole GPU
  };
  std::string type;
  std::vector<Offer> offers;  // in catalog order
};

class SlurmTypeTable {
 public:
  SlurmTypeTable(const geometry::Catalog& catalog, SlurmTypeStyle style);

  // nullptr for a type no catalog model offers.
  const SlurmType* Find(std::string_view type) const;
  // The type names one GPU of `model` can offer: its profiles (in catalog
  // order), then the whole GPU.
  std::vector<std::string> OfModel(const geometry::GpuModel& model) const;

 private:
  std::vector<SlurmType> types_;
  std::map<std::string, std::size_t, std::less<>> by_name_;
  std::map<const geometry::GpuModel*, std::vector<std::string>> of_model_;
};

}  // namespace migsched::engines

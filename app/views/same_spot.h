#pragma once
// The cell of one grid that lies over the same place of the picture as a cell of another grid
// of the same picture: the views that show a run at two resolutions keep their query patch on
// one spot this way (Geometry's "beside it at", Attention's "Also at", a pane's new resolution).

namespace seqpe::ui {

// `from` and `to` are the two grids' extents along the axis, in cells or in pixels (the ratio is
// what counts). The centre of `cell` is mapped, so the result is always inside the `to` grid.
inline int sameSpotCell(int cell, double from, double to) {
    return from > 0 ? static_cast<int>((cell + 0.5) * to / from) : cell;
}

} // namespace seqpe::ui

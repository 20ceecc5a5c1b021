#pragma once
// Instagram-style filters in the CSSgram tradition (Una Kravets' CSS re-creations), built from a
// few colour operations implemented once:
//  - CSS filter functions (W3C Filter Effects): brightness, contrast, saturate, sepia, grayscale,
//    hue-rotate; each an affine map of RGB followed by a clamp to [0, 1];
//  - overlay layers: a solid colour, a linear gradient or a radial gradient (circle reaching the
//    farthest corner), composited with a CSS blend mode (W3C Compositing and Blending) and an
//    opacity.
// Order, as a browser renders CSSgram's markup: the image, then the ::before layer, then the
// ::after layer are composited; the filter functions then apply left to right to the result.
//
// | filter    | filter functions                                       | ::before / ::after layers                                        |
// |-----------|--------------------------------------------------------|------------------------------------------------------------------|
// | 1977      | contrast 1.1, brightness 1.1, saturate 1.3             | after: rgba(243,106,188,.3) screen                               |
// | aden      | hue-rotate -20°, contrast .9, saturate .85, bright 1.2 | after: linear → right rgba(66,10,14,.2) → transparent, darken    |
// | amaro     | hue-rotate -10°, contrast .9, brightness 1.1, sat 1.5  | —                                                                |
// | brannan   | sepia .5, contrast 1.4                                 | after: rgba(161,44,199,.31) lighten                              |
// | brooklyn  | contrast .9, brightness 1.1                            | after: radial rgba(168,223,193,.4) 70%, #c4b7c8; overlay         |
// | clarendon | contrast 1.2, saturate 1.35                            | before: rgba(127,187,227,.2) overlay                             |
// | earlybird | contrast .9, sepia .2                                  | after: radial #d0ba8e 20%, #360309 85%, #1d0210 100%; overlay    |
// | gingham   | brightness 1.05, hue-rotate -10°                       | after: rgb(230,230,250) soft-light                               |
// | hudson    | brightness 1.2, contrast .9, saturate 1.1              | after: radial #a6b1ff 50%, #342134; multiply, opacity .5         |
// | inkwell   | sepia .3, contrast 1.1, brightness 1.1, grayscale 1    | —                                                                |
// | kelvin    | —                                                      | before: #382c34 color-dodge; after: #b77d21 overlay              |
// | lark      | contrast .9                                            | before: #22253f color-dodge; after: rgba(242,242,242,.8) darken  |
// | lofi      | saturate 1.1, contrast 1.5                             | after: radial transparent 70%, #222222 150%; multiply            |
// | maven     | sepia .25, brightness .95, contrast .95, saturate 1.5  | after: rgba(3,230,26,.2) hue                                     |
// | mayfair   | contrast 1.1, saturate 1.1                             | after: radial at 40% 40%: rgba(255,255,255,.8), rgba(255,200,200,.6), #111111 60%; overlay, opacity .4 |
// | moon      | grayscale 1, contrast 1.1, brightness 1.1              | before: #a0a0a0 soft-light; after: #383838 lighten               |
// | nashville | sepia .2, contrast 1.2, brightness 1.05, saturate 1.2  | before: rgba(247,176,153,.56) darken; after: rgba(0,70,150,.4) lighten |
// | perpetua  | —                                                      | after: linear → bottom #005b9a → #e6c13d; soft-light, opacity .5 |
// | reyes     | sepia .22, brightness 1.1, contrast .85, saturate .75  | after: #efcdad soft-light, opacity .5                            |
// | rise      | brightness 1.05, sepia .2, contrast .9, saturate .9    | before: radial rgba(236,205,169,.15) 55%, rgba(50,30,7,.4); multiply; after: radial rgba(232,197,152,.8), transparent 90%; overlay, opacity .6 |
// | slumber   | saturate .66, brightness 1.05                          | before: rgba(69,41,12,.4) lighten; after: rgba(125,105,24,.5) soft-light |
// | stinson   | contrast .75, saturate .85, brightness 1.15            | before: rgba(240,149,128,.2) soft-light                          |
// | toaster   | contrast 1.5, brightness .9                            | after: radial #804e0f, #3b003b; screen                           |
// | valencia  | contrast 1.08, brightness 1.08, sepia .08              | after: #3a0339 exclusion, opacity .5                             |
// | walden    | brightness 1.1, hue-rotate -10°, sepia .3, saturate 1.6| after: #0044cc screen, opacity .3                                |
// | willow    | grayscale .5, contrast .95, brightness .9              | after: #d8cdcb color                                             |
// | xpro2     | sepia .3                                               | after: radial #e6e7e0 40%, rgba(43,42,161,.6) 110%; color-burn   |
#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace advbn::shift {

// Every filter name apply_filter() accepts, in alphabetical order.
const std::vector<std::string>& filter_names();

// img: CV_8UC3 (BGR) or CV_8UC1, at least 8×8. Returns the same size and type; a grayscale image
// is filtered as three equal channels and converted back to grayscale. Throws advbn::Error for an
// unknown name or an unsupported image.
cv::Mat apply_filter(const cv::Mat& img, const std::string& name);

}  // namespace advbn::shift

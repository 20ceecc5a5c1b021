set(ADVBN_REPORT_SOURCES
  src/report/gnuplot.cpp
  src/report/html_report.cpp
  src/report/html_text.cpp
  src/report/report_plots.cpp
  src/report/report_results.cpp
  src/report/text_file.cpp
)

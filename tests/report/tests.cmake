advbn_add_test_executable(advbn_report_tests
  report/html_report_test.cpp
  report/gnuplot_test.cpp
)
target_link_libraries(advbn_report_tests PRIVATE advbn_report)

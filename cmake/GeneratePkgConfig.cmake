# Run at install time (install(SCRIPT)): writes nanomsg.pc for the prefix the
# installation really goes to. Expects NN_PC_TEMPLATE, NN_PC_OUTPUT,
# NN_PC_VERSION, NN_PC_LIBS_PRIVATE, NN_PC_INSTALL_LIBDIR and
# NN_PC_INSTALL_INCLUDEDIR to be set by a preceding install(CODE).

set(NN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")

# Relative install directories are expressed through ${prefix}, absolute ones
# are used as they are.
foreach(_kind LIBDIR INCLUDEDIR)
  set(_dir "${NN_PC_INSTALL_${_kind}}")
  if(IS_ABSOLUTE "${_dir}")
    set(NN_PC_${_kind} "${_dir}")
  else()
    set(NN_PC_${_kind} "\${prefix}/${_dir}")
  endif()
endforeach()

configure_file("${NN_PC_TEMPLATE}" "${NN_PC_OUTPUT}" @ONLY)

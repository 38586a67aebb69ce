import Foundation
import HomeReadyTestSupport
import Testing

@testable import HomeReadyPosture

/// Writes a USB device (and its interfaces' classes) into a sysfs-like tree.
private func usbDevice(
    _ tree: TemporaryDirectory, _ path: String, vendor: String, product: String, name: String? = nil,
    serial: String? = nil, classes: [String]
) throws {
    let base = "sys/bus/usb/devices/\(path)"
    try tree.write("\(base)/idVendor", vendor + "\n")
    try tree.write("\(base)/idProduct", product + "\n")
    if let name { try tree.write("\(base)/product", name + "\n") }
    if let serial { try tree.write("\(base)/serial", serial + "\n") }
    for (index, interfaceClass) in classes.enumerated() {
        try tree.write("sys/bus/usb/devices/\(path):1.\(index)/bInterfaceClass", interfaceClass + "\n")
    }
}

@Suite("USB audio identity")
struct PeripheralIdentityTests {
    @Test func usbAudioDevicesCarryVendorProductAndSerial() throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try usbDevice(tree, "usb1", vendor: "1d6b", product: "0002", classes: ["09"])
        try usbDevice(
            tree, "1-2", vendor: "0b0e", product: "0300", name: "Jabra EVOLVE 20 MS", serial: "A1B2C3D4E5",
            classes: ["01", "01", "03"])
        try usbDevice(tree, "1-4.1", vendor: "046d", product: "0a44", name: "Logitech USB Headset", classes: ["01"])
        try usbDevice(
            tree, "1-3", vendor: "046d", product: "0825", name: "Webcam C270", serial: "CAFE", classes: ["0e"])
        let facts = PeripheralFacts.collect(in: FileTree(root: tree.url))
        #expect(
            facts["audio.usb_devices"]
                == .list(["0b0e:0300:A1B2C3D4E5 Jabra EVOLVE 20 MS", "046d:0a44 Logitech USB Headset"]))
        #expect(facts["audio.usb_headset"] == .flag(true))
        #expect(facts["usb.webcam"] == .flag(true))
    }

    @Test func noUsbAudioGivesAnEmptyList() throws {
        let tree = try TemporaryDirectory()
        defer { tree.remove() }
        try usbDevice(tree, "1-3", vendor: "046d", product: "0825", name: "Webcam C270", classes: ["0e", "01"])
        try usbDevice(tree, "1-5", vendor: "046d", product: "c52b", name: "Unifying Receiver", classes: ["03"])
        let webcamWithMicrophone = PeripheralFacts.collect(in: FileTree(root: tree.url))
        #expect(webcamWithMicrophone["audio.usb_devices"] == .list(["046d:0825 Webcam C270"]))
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        #expect(PeripheralFacts.collect(in: FileTree(root: empty.url))["audio.usb_devices"] == .list([]))
    }

    @Test func serialWhiteSpaceIsJoined() {
        let device = PeripheralFacts.USBDevice(
            path: "1-2", vendor: "0B0E", product: "0300", name: "", serial: " 12 34 ", interfaceClasses: ["01"])
        #expect(device.identity == "0b0e:0300:12_34")
    }
}
